import { createCatalogTable } from './adapters/catalog-table';
import { config } from './config';
import { createCatalogRegistrar } from './core/catalog-registrar';

// The service's parts, built from its config. Each handler calls what it uses once, at module scope,
// so that clients and adapters are made at cold start and reused by every invocation.

export function catalogRegistrar() {
  return createCatalogRegistrar({
    catalog: createCatalogTable({ tableName: config.catalogTableName }),
    clock: () => new Date(),
  });
}
