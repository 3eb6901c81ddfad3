import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { queryReader } from '../composition';

const queries = queryReader();

/**
 * 200 while the query is queued or running and once it succeeded; a failed query answers with the
 * status of its failure (422 for a limit or its SQL, 500 for the service's own fault), the error in
 * the API's shape, and the query beside it.
 */
export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  const query = await queries.get(userId, event.pathParameters?.queryId);
  if (query.status !== 'FAILED' || query.error === undefined) return json(200, { query });
  return json(query.error.code === 'INTERNAL' ? 500 : 422, { error: query.error, query });
});
