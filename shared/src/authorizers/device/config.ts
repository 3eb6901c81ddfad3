import { readString } from '../../config';

/** DEVICE_TOKENS_TABLE (required): the table holding device#<deviceId> / token items. */
export function readDeviceConfig(env?: NodeJS.ProcessEnv): { tableName: string } {
  return { tableName: readString('DEVICE_TOKENS_TABLE', { env }) };
}
