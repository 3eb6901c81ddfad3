import {
  correlationPaths,
  instrumented,
  MetricUnit,
  metrics,
} from '@serverless-patterns/shared/observability';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { clickTransformer } from '../composition';

const transformer = clickTransformer();

/**
 * Firehose's transformation contract: every record id back, with Ok (the lake's line, and the
 * partition keys of dynamic partitioning), Dropped or ProcessingFailed (the original data).
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */
export const handler = instrumented(
  async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => {
    const transformed = await transformer.transform(
      event.records.map(({ data }) => Buffer.from(data, 'base64').toString('utf8')),
    );
    const records = event.records.map(({ recordId }, index) => {
      const { result, data, partitionKeys } = transformed[index] as (typeof transformed)[number];
      metrics.addMetric(`Clicks${result}`, MetricUnit.Count, 1);
      return {
        recordId,
        result,
        data: Buffer.from(data).toString('base64'),
        ...(partitionKeys ? { metadata: { partitionKeys: { ...partitionKeys } } } : {}),
      };
    });
    return { records };
  },
  { correlationIdPath: correlationPaths.firehose },
);
