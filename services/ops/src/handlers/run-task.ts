import { json, parsePathParameters } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import * as z from 'zod';
import { opsAdmin } from '../composition';

const admin = opsAdmin();

// POST /ops/tasks/{name}/run: "Run now", one run outside the schedule, answered before it runs.
export const handler = route(async (event) => {
  const { name } = parsePathParameters(event, z.object({ name: z.string().min(1).max(64) }));
  return json(202, await admin.runTask(name));
});
