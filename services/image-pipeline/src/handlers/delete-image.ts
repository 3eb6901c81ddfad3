import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { noContent } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { gallery } from '../composition';

const images = gallery();

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  await images.delete(userId, event.pathParameters?.imageId);
  return noContent();
});
