import { json, parsePathParameters, parseQueryParameters } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import * as z from 'zod';
import { opsAdmin } from '../composition';
import { pageQuerySchema } from '../core/ops-admin';

const admin = opsAdmin();

// GET /ops/runs (newest first, paged) and GET /ops/runs/{runId} (its targets and every resource).
export const handler = route(async (event) => {
  if (event.pathParameters?.runId === undefined) {
    return json(200, await admin.listRuns(parseQueryParameters(event, pageQuerySchema)));
  }
  const { runId } = parsePathParameters(event, z.object({ runId: z.string().min(1).max(256) }));
  return json(200, await admin.getRun(runId));
});
