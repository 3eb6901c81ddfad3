import { defineConfig, readInteger, readString } from '@serverless-patterns/shared/config';

/** Every setting of the service, each read when the composition first uses it (at cold start). */
export const config = defineConfig({
  clicksDeliveryStreamName: () => readString('CLICKS_DELIVERY_STREAM_NAME'),
  productsTableName: () => readString('PRODUCTS_TABLE_NAME'),
  /** How long a container keeps a product it looked up: a price change reaches the lake within it. */
  productCacheSeconds: () => readInteger('PRODUCT_CACHE_SECONDS', { min: 0, max: 86_400, default: 300 }),
});
