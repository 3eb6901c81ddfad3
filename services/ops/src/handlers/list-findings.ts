import { json, parseQueryParameters } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { opsAdmin } from '../composition';
import { pageQuerySchema } from '../core/ops-admin';

const admin = opsAdmin();

// GET /ops/findings: the security guard's findings, newest first, paged.
export const handler = route(async (event) =>
  json(200, await admin.listFindings(parseQueryParameters(event, pageQuerySchema))),
);
