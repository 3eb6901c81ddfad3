import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { labeller } from '../composition';
import { imageJobSchema } from '../core/images';

const labels = labeller();

/**
 * State machine step DetectLabels (Parallel branch). Rekognition's errors propagate with their names,
 * so that the task's Retry matches the transient ones (ThrottlingException, InternalServerError, ...).
 */
export const handler = instrumented(
  async (event: unknown) => {
    const job = imageJobSchema.parse(event);
    const result = await labels.detectLabels(job);
    logger.info('labels detected', { imageId: job.imageId, labels: result.labels.length });
    return result;
  },
  // The execution is named after the image: its id ties the steps' log lines together.
  { correlationIdPath: 'imageId' },
);
