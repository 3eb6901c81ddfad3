import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json, parseQueryParameters } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { gallery } from '../composition';
import { listQuerySchema } from '../core/gallery';

const images = gallery();

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  return json(200, await images.list(userId, parseQueryParameters(event, listQuerySchema)));
});
