import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json, parseJsonBody } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { createUploadRequestSchema } from '@serverless-patterns/shared/schemas/api';
import { uploadPresigner } from '../composition';

const uploads = uploadPresigner();

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  return json(201, await uploads.createUpload(userId, parseJsonBody(event, createUploadRequestSchema)));
});
