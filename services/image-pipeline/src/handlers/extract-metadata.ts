import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { metadataExtractor } from '../composition';
import { imageJobSchema } from '../core/images';

const extractor = metadataExtractor();

/** State machine step ExtractMetadata: returns the job with its extraction (the Choice reads `supported`). */
export const handler = instrumented(
  async (event: unknown) => {
    const state = await extractor.extractMetadata(imageJobSchema.parse(event));
    logger.info('metadata extracted', { imageId: state.imageId, extraction: state.extraction });
    return state;
  },
  { correlationIdPath: 'imageId' },
);
