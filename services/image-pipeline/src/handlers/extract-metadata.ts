import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { imageJobSchema } from '../core/images';
import { imageWorkflow } from '../image-workflow';

/** State machine step ExtractMetadata: returns the job with its extraction (the Choice reads `supported`). */
export const handler = instrumented(async (event: unknown) => {
  const state = await imageWorkflow.extractMetadata(imageJobSchema.parse(event));
  logger.info('metadata extracted', { imageId: state.imageId, extraction: state.extraction });
  return state;
});
