import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { noContent } from '@serverless-patterns/shared/http';
import { deviceService } from '../device-service';
import { route } from '../route';

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  await deviceService.remove(userId, event.pathParameters?.deviceId);
  return noContent();
});
