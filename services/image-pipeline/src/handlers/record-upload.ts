import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { instrumented, logger, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import type { S3Event } from 'aws-lambda';
import { createImagesTable } from '../adapters/images-table';
import { config } from '../config';
import { createdObjectsOf, createUploadRecorder } from '../core/uploads';

const recorder = createUploadRecorder({
  images: createImagesTable({ client: documentClient, tableName: config.imagesTableName }),
  clock: () => new Date(),
});

// Invoked asynchronously by S3: a thrown error makes Lambda retry the whole event, then send it to the
// failure queue. Retrying records that were already written is harmless, since their writes are conditional.
export const handler = instrumented(async (event: S3Event): Promise<void> => {
  for (const object of createdObjectsOf(event)) {
    try {
      const result = await recorder.record(object);
      logger.info('upload recorded', { ...result });
      metrics.addMetric(
        result.outcome === 'created' ? 'UploadsRecorded' : 'UploadReplaysIgnored',
        MetricUnit.Count,
        1,
      );
    } catch (error) {
      logger.error('upload not recorded', { error, bucket: object.bucket, eventKey: object.eventKey });
      throw error;
    }
  }
});
