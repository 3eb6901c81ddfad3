import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json, parseJsonBody } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { startQueryRequestSchema } from '@serverless-patterns/shared/schemas/api';
import { queryStarter } from '../composition';

const queries = queryStarter();

// 202: accepted and queued; GET /catalog/queries/{queryId} follows it (Location names it).
export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  const { sql } = parseJsonBody(event, startQueryRequestSchema);
  const query = await queries.start(userId, sql);
  return json(
    202,
    { query },
    { location: `${event.requestContext.path.replace(/\/$/, '')}/${query.queryId}` },
  );
});
