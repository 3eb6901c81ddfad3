import { instrumented, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import { readingsProcessor } from '../composition';
import type { FanOutChunk } from '../core/fan-out';

const processor = readingsProcessor();

// One chunk of the dispatcher's batch, invoked asynchronously: raw readings stored by device, time and
// stream position. A failure is retried by Lambda, then parked in FanOutFailedQueue.
export const handler = instrumented(async (chunk: FanOutChunk) => {
  const { stored, malformed } = await processor.process(chunk);
  metrics.addMetric('RawReadingsStored', MetricUnit.Count, stored);
  if (malformed > 0) metrics.addMetric('MalformedReadingsSkipped', MetricUnit.Count, malformed);
});
