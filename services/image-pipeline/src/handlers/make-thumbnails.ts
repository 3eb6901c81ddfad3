import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { thumbnailer } from '../composition';
import { imageJobSchema } from '../core/images';

const thumbnails = thumbnailer();

/** State machine step MakeThumbnails (Parallel branch): writes both thumbnails, returns their keys. */
export const handler = instrumented(
  async (event: unknown) => {
    const job = imageJobSchema.parse(event);
    const result = await thumbnails.makeThumbnails(job);
    logger.info('thumbnails written', { imageId: job.imageId, ...result.thumbnails });
    return result;
  },
  { correlationIdPath: 'imageId' },
);
