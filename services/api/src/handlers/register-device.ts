import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json, parseJsonBody } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import * as z from 'zod';
import { deviceService } from '../composition';

const devices = deviceService();

// Only the JSON is read here (a 400 when missing or malformed, a 413 above 64 KiB): the core
// validates its shape, so that every caller of the core gets the same checks.
export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  return json(201, await devices.register(userId, parseJsonBody(event, z.unknown())));
});
