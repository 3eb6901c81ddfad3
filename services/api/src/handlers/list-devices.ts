import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { deviceService } from '../composition';

const devices = deviceService();

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  return json(200, { devices: await devices.list(userId) });
});
