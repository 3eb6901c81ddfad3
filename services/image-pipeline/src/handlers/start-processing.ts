import {
  correlationPaths,
  instrumented,
  logger,
  MetricUnit,
  metrics,
} from '@serverless-patterns/shared/observability';
import { s3ObjectChanges } from '@serverless-patterns/shared/s3-events';
import type { S3Event } from 'aws-lambda';
import { processingStarter } from '../composition';

const starter = processingStarter();

// Invoked asynchronously by S3: a thrown error makes Lambda retry the whole event, then send it to the
// failure queue. Retrying is harmless: the record is written only if absent, and an execution that
// already exists under the image's name counts as started. A key that is not valid URL encoding fails
// the invocation too (s3ObjectChanges decodes every key first, and refuses it with a ValidationError).
export const handler = instrumented(
  async (event: S3Event): Promise<void> => {
    for (const object of s3ObjectChanges(event)) {
      try {
        const result = await starter.start(object);
        logger.info('image processing started', { ...result });
        metrics.addMetric(
          result.execution === 'started' ? 'ImageProcessingStarted' : 'UploadReplaysIgnored',
          MetricUnit.Count,
          1,
        );
      } catch (error) {
        logger.error('image processing not started', { error, bucket: object.bucket, key: object.key });
        throw error;
      }
    }
  },
  { correlationIdPath: correlationPaths.s3 },
);
