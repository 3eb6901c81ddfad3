import { createClicksDeliveryStream } from './adapters/clicks-delivery-stream';
import { createProductsTable } from './adapters/products-table';
import { config } from './config';
import { createClickCollector } from './core/click-collector';
import { createClickTransformer } from './core/click-transform';
import { createProductCache } from './core/product-cache';

// The service's parts, built from its config, one function per use case. Each handler calls its own
// once, at module scope: clients, adapters and the product cache are made at cold start and kept by
// the container, and a function reads only the settings of what it uses.

export function clickCollector() {
  return createClickCollector({
    stream: createClicksDeliveryStream({ deliveryStreamName: config.clicksDeliveryStreamName }),
  });
}

export function clickTransformer() {
  return createClickTransformer({
    products: createProductCache({
      source: createProductsTable({ tableName: config.productsTableName }),
      ttlMs: config.productCacheSeconds * 1000,
    }),
  });
}
