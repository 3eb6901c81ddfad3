import { json, parseJsonBody } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import {
  type CollectClicksResponse,
  clickBeaconSchema,
  MAX_BEACON_BYTES,
} from '@serverless-patterns/shared/schemas/api';
import { clickCollector } from '../composition';

const collector = clickCollector();

export const handler = route(async (event) => {
  const { clicks } = parseJsonBody(event, clickBeaconSchema, { maxBytes: MAX_BEACON_BYTES });
  const response: CollectClicksResponse = await collector.collect(clicks);
  return json(202, response);
});
