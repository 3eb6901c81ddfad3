import { instrumented, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import type { KinesisStreamEvent } from 'aws-lambda';
import { readingsDispatcher } from '../composition';

const dispatcher = readingsDispatcher();

// The fan-out's dispatcher on the telemetry stream: chunks of the batch, one asynchronous processor
// invocation each. A refused invocation fails the batch; the stream delivers it again and the chunks
// already handed over run twice, which their keyed writes make harmless.
export const handler = instrumented(async (event: KinesisStreamEvent) => {
  const shardId = event.Records[0]?.eventID.split(':')[0] ?? 'unknown';
  const chunks = await dispatcher.dispatch(
    shardId,
    event.Records.map(({ kinesis }) => kinesis),
  );
  metrics.addMetric('ChunksDispatched', MetricUnit.Count, chunks);
});
