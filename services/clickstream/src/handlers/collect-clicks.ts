import { json, parseJsonBody } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { type CollectClicksResponse, clickBeaconSchema } from '@serverless-patterns/shared/schemas/api';
import { clickCollector } from '../composition';

const collector = clickCollector();

/** Browsers cap a beacon at 64 KiB (navigator.sendBeacon); a larger body is not a page's. */
const MAX_BEACON_BYTES = 64 * 1024;

export const handler = route(async (event) => {
  const { clicks } = parseJsonBody(event, clickBeaconSchema, { maxBytes: MAX_BEACON_BYTES });
  const response: CollectClicksResponse = await collector.collect(clicks);
  return json(202, response);
});
