import {
  correlationPaths,
  instrumented,
  MetricUnit,
  metrics,
} from '@serverless-patterns/shared/observability';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { transformClick } from '../core/click-transform';

export const handler = instrumented(
  async (event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> => {
    const records = event.records.map(({ recordId, data }) => {
      const transformed = transformClick(Buffer.from(data, 'base64').toString('utf8'));
      metrics.addMetric(`Clicks${transformed.result}`, MetricUnit.Count, 1);
      return { recordId, result: transformed.result, data: Buffer.from(transformed.data).toString('base64') };
    });
    return { records };
  },
  { correlationIdPath: correlationPaths.firehose },
);
