import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json } from '@serverless-patterns/shared/http';
import { gallery } from '../gallery-service';
import { route } from '../route';

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  return json(200, await gallery.get(userId, event.pathParameters?.imageId));
});
