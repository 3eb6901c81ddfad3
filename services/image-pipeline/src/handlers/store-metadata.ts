import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { metadataRecorder } from '../composition';
import { extractedStateSchema } from '../core/workflow';

const recorder = metadataRecorder();

/** State machine step StoreMetadata (its result is discarded: ResultPath null). */
export const handler = instrumented(
  async (event: unknown) => {
    const state = extractedStateSchema.parse(event);
    const outcome = await recorder.storeMetadata(state);
    logger.info('metadata stored', { imageId: state.imageId, outcome });
    return { outcome };
  },
  { correlationIdPath: 'imageId' },
);
