import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { deviceService } from '../composition';

const devices = deviceService();

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  const issued = await devices.issueToken(userId, event.pathParameters?.deviceId);
  // The token is a secret shown once: no cache along the way may keep it.
  return json(201, issued, { 'cache-control': 'no-store' });
});
