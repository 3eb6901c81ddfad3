import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json, parseQueryParameters } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { listQuerySchema } from '../core/gallery';
import { gallery } from '../gallery-service';

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  return json(200, await gallery.list(userId, parseQueryParameters(event, listQuerySchema)));
});
