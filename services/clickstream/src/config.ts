import { defineConfig, readInteger, readString } from '@serverless-patterns/shared/config';

/** Every setting of the service, each read when the composition first uses it (at cold start). */
export const config = defineConfig({
  clicksDeliveryStreamName: () => readString('CLICKS_DELIVERY_STREAM_NAME'),
  productsTableName: () => readString('PRODUCTS_TABLE_NAME'),
  telemetryStreamName: () => readString('TELEMETRY_STREAM_NAME'),
  telemetryErrorsStreamName: () => readString('TELEMETRY_ERRORS_STREAM_NAME'),
  aggregatesTableName: () => readString('AGGREGATES_TABLE_NAME'),
  thresholdsTableName: () => readString('THRESHOLDS_TABLE_NAME'),
  alertsTableName: () => readString('ALERTS_TABLE_NAME'),
  alertsTopicArn: () => readString('ALERTS_TOPIC_ARN'),
  readingsProcessorName: () => readString('READINGS_PROCESSOR_NAME'),
  /** Records per processor invocation: smaller chunks, more processors side by side. */
  fanOutChunkSize: () => readInteger('FAN_OUT_CHUNK_SIZE', { min: 1, max: 10_000, default: 100 }),
  rawReadingsTableName: () => readString('RAW_READINGS_TABLE_NAME'),
  /** How long a container keeps a product it looked up: a price change reaches the lake within it. */
  productCacheSeconds: () => readInteger('PRODUCT_CACHE_SECONDS', { min: 0, max: 86_400, default: 300 }),
});
