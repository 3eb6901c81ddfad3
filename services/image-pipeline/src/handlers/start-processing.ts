import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { stepFunctions } from '@serverless-patterns/shared/clients/step-functions';
import { instrumented, logger, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import type { S3Event } from 'aws-lambda';
import { createImagesTable } from '../adapters/images-table';
import { createProcessingWorkflow } from '../adapters/processing-workflow';
import { triggerConfig } from '../config';
import { createdObjectsOf, createProcessingStarter } from '../core/uploads';

const config = triggerConfig();

const starter = createProcessingStarter({
  images: createImagesTable({ client: documentClient, tableName: config.imagesTableName }),
  workflow: createProcessingWorkflow({ client: stepFunctions, stateMachineArn: config.stateMachineArn }),
  clock: () => new Date(),
});

// Invoked asynchronously by S3: a thrown error makes Lambda retry the whole event, then send it to the
// failure queue. Retrying is harmless: the record is written only if absent, and an execution that
// already exists under the image's name counts as started.
export const handler = instrumented(async (event: S3Event): Promise<void> => {
  for (const object of createdObjectsOf(event)) {
    try {
      const result = await starter.start(object);
      logger.info('image processing started', { ...result });
      metrics.addMetric(
        result.execution === 'started' ? 'ImageProcessingStarted' : 'UploadReplaysIgnored',
        MetricUnit.Count,
        1,
      );
    } catch (error) {
      logger.error('image processing not started', {
        error,
        bucket: object.bucket,
        eventKey: object.eventKey,
      });
      throw error;
    }
  }
});
