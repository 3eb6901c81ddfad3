import { instrumented, logger } from '@serverless-patterns/shared/observability';
import type { S3Event } from 'aws-lambda';
import { createCatalogTable } from '../adapters/catalog-table';
import { config } from '../config';
import { createCatalogRegistrar } from '../core/catalog-registrar';
import { lakeObjectEventsFrom } from '../core/s3-notifications';

const registrar = createCatalogRegistrar({
  catalog: createCatalogTable(config.catalogTableName),
  clock: () => new Date(),
});

// A thrown error fails the whole (asynchronous) invocation: Lambda retries it, then sends it to
// the failure queue. Every write is conditional on S3's sequencer, so the retry is harmless.
export const handler = instrumented(async (event: S3Event) => {
  for (const lakeEvent of lakeObjectEventsFrom(event)) {
    const outcome = await registrar.apply(lakeEvent);
    logger.info('catalog updated', { key: lakeEvent.object.key, kind: lakeEvent.kind, outcome });
  }
});
