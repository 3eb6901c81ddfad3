import { instrumented, logger, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import type { KinesisStreamStateResponse, KinesisStreamTumblingWindowEvent } from 'aws-lambda';
import { telemetryAggregator } from '../composition';

const aggregator = telemetryAggregator();

/**
 * The telemetry stream's tumbling window (TumblingWindowInSeconds): Lambda carries `state` from one
 * invocation of a window to the next and closes it with isFinalInvokeForWindow. Windows follow the
 * records' arrival time on the stream (ApproximateArrivalTimestamp), as in AWS.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html
 */
// AWS's event carries the shard too (@types/aws-lambda leaves it out).
type WindowEvent = KinesisStreamTumblingWindowEvent & { shardId: string };

export const handler = instrumented(async (event: WindowEvent): Promise<KinesisStreamStateResponse> => {
  const outcome = await aggregator.handle({
    records: event.Records.map(({ kinesis }) => kinesis),
    shardId: event.shardId,
    window: event.window,
    state: event.state,
    isFinal: event.isFinalInvokeForWindow,
    terminatedEarly: event.isWindowTerminatedEarly,
  });
  metrics.addMetric('ReadingsCounted', MetricUnit.Count, outcome.counted);
  if (outcome.duplicates > 0) metrics.addMetric('DuplicateReadings', MetricUnit.Count, outcome.duplicates);
  if (outcome.malformed > 0) metrics.addMetric('MalformedReadings', MetricUnit.Count, outcome.malformed);
  if (event.isFinalInvokeForWindow) {
    metrics.addMetric('AggregatesSaved', MetricUnit.Count, outcome.saved);
    if (event.isWindowTerminatedEarly) {
      logger.warn('window ended early (state near 1 MB): its aggregates are saved as a part', {
        shardId: event.shardId,
        window: event.window,
      });
    }
  }
  return { state: outcome.state as Record<string, unknown>, batchItemFailures: [] };
});
