import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { extractedStateSchema } from '../core/workflow';
import { imageWorkflow } from '../image-workflow';

/** State machine step StoreMetadata (its result is discarded: ResultPath null). */
export const handler = instrumented(async (event: unknown) => {
  const state = extractedStateSchema.parse(event);
  const outcome = await imageWorkflow.storeMetadata(state);
  logger.info('metadata stored', { imageId: state.imageId, outcome });
  return { outcome };
});
