import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { noContent } from '@serverless-patterns/shared/http';
import { gallery } from '../gallery-service';
import { route } from '../route';

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  await gallery.delete(userId, event.pathParameters?.imageId);
  return noContent();
});
