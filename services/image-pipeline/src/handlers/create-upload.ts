import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json, parseJsonBody } from '@serverless-patterns/shared/http';
import { createUploadRequestSchema } from '@serverless-patterns/shared/schemas';
import { gallery } from '../gallery-service';
import { route } from '../route';

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  return json(201, await gallery.createUpload(userId, parseJsonBody(event, createUploadRequestSchema)));
});
