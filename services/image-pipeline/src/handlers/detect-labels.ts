import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { imageJobSchema } from '../core/images';
import { imageWorkflow } from '../image-workflow';

/**
 * State machine step DetectLabels (Parallel branch). Rekognition's errors propagate with their names,
 * so that the task's Retry matches the transient ones (ThrottlingException, InternalServerError, ...).
 */
export const handler = instrumented(async (event: unknown) => {
  const job = imageJobSchema.parse(event);
  const result = await imageWorkflow.detectLabels(job);
  logger.info('labels detected', { imageId: job.imageId, labels: result.labels.length });
  return result;
});
