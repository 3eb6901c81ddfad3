import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { imageJobSchema } from '../core/images';
import { imageWorkflow } from '../image-workflow';

/** State machine step MakeThumbnails (Parallel branch): writes both thumbnails, returns their keys. */
export const handler = instrumented(async (event: unknown) => {
  const job = imageJobSchema.parse(event);
  const result = await imageWorkflow.makeThumbnails(job);
  logger.info('thumbnails written', { imageId: job.imageId, ...result.thumbnails });
  return result;
});
