import { ownDeviceFrom } from '@serverless-patterns/shared/authorizers/caller';
import { json, parseJsonBody, parsePathParameters } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import {
  type CollectTelemetryResponse,
  deviceIdPathSchema,
  telemetryBatchSchema,
} from '@serverless-patterns/shared/schemas/api';
import { telemetryCollector } from '../composition';

const collector = telemetryCollector();

/** 500 readings of about 150 bytes each, with room to spare. */
const MAX_BATCH_BYTES = 256 * 1024;

export const handler = route(async (event) => {
  const { deviceId } = parsePathParameters(event, deviceIdPathSchema);
  ownDeviceFrom(event, deviceId);
  const { readings } = parseJsonBody(event, telemetryBatchSchema, { maxBytes: MAX_BATCH_BYTES });
  const response: CollectTelemetryResponse = await collector.collect(deviceId, readings);
  return json(202, response);
});
