import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json } from '@serverless-patterns/shared/http';
import { deviceService } from '../device-service';
import { route } from '../route';

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  return json(200, await deviceService.get(userId, event.pathParameters?.deviceId));
});
