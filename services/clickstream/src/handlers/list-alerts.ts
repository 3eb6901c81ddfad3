import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import type { AlertsResponse } from '@serverless-patterns/shared/schemas/api';
import { telemetryQueries } from '../composition';

const queries = telemetryQueries();

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  const response: AlertsResponse = { alerts: await queries.alertsOf(userId) };
  return json(200, response);
});
