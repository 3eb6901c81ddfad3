import { correlationPaths, instrumented, logger } from '@serverless-patterns/shared/observability';
import { s3ObjectChanges } from '@serverless-patterns/shared/s3-events';
import type { S3Event } from 'aws-lambda';
import { catalogRegistrar } from '../composition';

const registrar = catalogRegistrar();

// A thrown error fails the whole (asynchronous) invocation: Lambda retries it, then sends it to
// the failure queue. Every write is conditional on S3's sequencer, so the retry is harmless.
export const handler = instrumented(
  async (event: S3Event) => {
    for (const change of s3ObjectChanges(event)) {
      const outcome = await registrar.apply(change);
      logger.info('catalog updated', { key: change.key, kind: change.kind, outcome });
    }
  },
  { correlationIdPath: correlationPaths.s3 },
);
