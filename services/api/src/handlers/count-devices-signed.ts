import { json } from '@serverless-patterns/shared/http';
import { logger } from '@serverless-patterns/shared/observability';
import { route } from '@serverless-patterns/shared/route';
import { deviceService } from '../composition';
import { signedCallerFrom } from '../core/signed-caller';

const devices = deviceService();

// Behind IAM authorization: only the identity pool's admin role may invoke this route (its policy in
// serverless.yml), so the handler does not check the role again; it records who asked.
export const handler = route(async (event) => {
  const { identityId, role } = signedCallerFrom(event.requestContext.identity);
  logger.info('admin: devices counted with IAM credentials', { identityId, role });
  return json(200, { count: await devices.countAll(), role });
});
