import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json } from '@serverless-patterns/shared/http';
import { logger } from '@serverless-patterns/shared/observability';
import { route } from '@serverless-patterns/shared/route';
import { deviceService } from '../composition';

const devices = deviceService();

// Behind the admin authorizer, whose stage policy decides who may come here: the handler does not
// second-guess it, it only requires the context and records who asked.
export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  logger.info('admin: devices counted', { userId });
  return json(200, { count: await devices.countAll() });
});
