import { readOneOf, readString } from '../../config';
import { ADMIN_ACCESS_MODES, type AdminAccess, DEFAULT_ADMIN_GROUP } from './access';

/** ADMIN_GROUP (default admins), ADMIN_ACCESS (admins-only | any-signed-in-user, default admins-only). */
export function readAdminConfig(env?: NodeJS.ProcessEnv): { adminGroup: string; access: AdminAccess } {
  return {
    adminGroup: readString('ADMIN_GROUP', { env, default: DEFAULT_ADMIN_GROUP }),
    access: readOneOf('ADMIN_ACCESS', ADMIN_ACCESS_MODES, { env, default: 'admins-only' }),
  };
}
