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
import type { StartOutcome } from '../core/uploads';

const starter = processingStarter();

/** One metric per outcome: a rise in the last two is worth a look (a presigned POST used again). */
const METRICS: Record<StartOutcome, string> = {
  started: 'ImageProcessingStarted',
  'already-started': 'UploadReplaysIgnored',
  'key-reused': 'UploadKeyReusesRefused',
  'image-deleted': 'DeletedImageEventsDiscarded',
};

// Invoked asynchronously by S3: a thrown error makes Lambda retry the whole event, then send it to the
// failure queue. Retrying is harmless: the record is written only if absent, and an execution that
// already exists under the image's name counts as started (core/uploads.ts, StartOutcome). A key that is not valid URL encoding fails
// the invocation too (s3ObjectChanges decodes every key first, and refuses it with a ValidationError).
export const handler = instrumented(
  async (event: S3Event): Promise<void> => {
    for (const object of s3ObjectChanges(event)) {
      try {
        const result = await starter.start(object);
        if (result.outcome === 'started') logger.info('image processing started', { ...result });
        else logger.warn('upload not processed', { ...result });
        metrics.addMetric(METRICS[result.outcome], MetricUnit.Count, 1);
      } catch (error) {
        logger.error('image processing not started', { error, bucket: object.bucket, key: object.key });
        throw error;
      }
    }
  },
  { correlationIdPath: correlationPaths.s3 },
);
