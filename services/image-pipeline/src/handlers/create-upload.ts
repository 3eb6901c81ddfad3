import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json, parseJsonBody } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { createUploadRequestSchema } from '@serverless-patterns/shared/schemas/api';
import { gallery } from '../gallery-service';

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  return json(201, await gallery.createUpload(userId, parseJsonBody(event, createUploadRequestSchema)));
});
