import { callerFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json, parsePathParameters, parseQueryParameters } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import {
  aggregatesQuerySchema,
  type DeviceAggregatesResponse,
  deviceIdPathSchema,
} from '@serverless-patterns/shared/schemas/api';
import { telemetryQueries } from '../composition';

const queries = telemetryQueries();

export const handler = route(async (event) => {
  const { userId } = callerFrom(event);
  const { deviceId } = parsePathParameters(event, deviceIdPathSchema);
  const range = parseQueryParameters(event, aggregatesQuerySchema);
  const response: DeviceAggregatesResponse = await queries.aggregatesOf(userId, deviceId, range);
  return json(200, response);
});
