import { randomUUID } from 'node:crypto';
import { firehose } from '@serverless-patterns/shared/clients/firehose';
import { createAggregatesTable } from './adapters/aggregates-table';
import { createAlertsTable } from './adapters/alerts-table';
import { createAlertsTopic } from './adapters/alerts-topic';
import { createClicksDeliveryStream } from './adapters/clicks-delivery-stream';
import { createProductsTable } from './adapters/products-table';
import { createRawReadingsTable } from './adapters/raw-readings-table';
import { createReadingsProcessorFunction } from './adapters/readings-processor-function';
import { createTelemetryErrorsStream } from './adapters/telemetry-errors-stream';
import { createTelemetryStream } from './adapters/telemetry-stream';
import { createThresholdsTable } from './adapters/thresholds-table';
import { config } from './config';
import { createAggregateRecorder } from './core/aggregate-recorder';
import { createAlertRaiser } from './core/alert-raiser';
import { createClickCollector } from './core/click-collector';
import { createClickTransformer } from './core/click-transform';
import { createThresholdCopy } from './core/device-thresholds';
import { createDispatcher, createReadingsProcessor } from './core/fan-out';
import { createMalformedReadingSink } from './core/malformed-readings';
import { createProductCache } from './core/product-cache';
import { createProductCatalog } from './core/product-catalog';
import { createTelemetryAggregator } from './core/telemetry-aggregator';
import { createTelemetryCollector } from './core/telemetry-collector';
import { createTelemetryQueries } from './core/telemetry-queries';
import { createWindowTallies } from './core/telemetry-window';

// The service's parts, built from its config, one function per use case. Each handler calls its own
// once, at module scope: clients, adapters and the product cache are made at cold start and kept by
// the container, and a function reads only the settings of what it uses.

export function clickCollector() {
  return createClickCollector({
    stream: createClicksDeliveryStream({
      client: firehose,
      deliveryStreamName: config.clicksDeliveryStreamName,
    }),
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

export function productCatalog() {
  return createProductCatalog({ store: createProductsTable({ tableName: config.productsTableName }) });
}

export function telemetryCollector() {
  return createTelemetryCollector({
    stream: createTelemetryStream({ streamName: config.telemetryStreamName }),
  });
}

export function telemetryAggregator() {
  // A container's own prefix and a counter: a state token names one state of one container.
  const container = randomUUID();
  let invocations = 0;
  return createTelemetryAggregator({
    tallies: createWindowTallies({ newToken: () => `${container}:${++invocations}` }),
    errors: createMalformedReadingSink({
      stream: createTelemetryErrorsStream({ deliveryStreamName: config.telemetryErrorsStreamName }),
    }),
    aggregates: createAggregateRecorder({
      store: createAggregatesTable({ tableName: config.aggregatesTableName }),
    }),
  });
}

export function thresholdCopy() {
  return createThresholdCopy({ store: createThresholdsTable({ tableName: config.thresholdsTableName }) });
}

export function alertRaiser() {
  return createAlertRaiser({
    thresholds: createThresholdsTable({ tableName: config.thresholdsTableName }),
    alerts: createAlertsTable({ tableName: config.alertsTableName }),
    notifier: createAlertsTopic({ topicArn: config.alertsTopicArn }),
  });
}

export function telemetryQueries() {
  return createTelemetryQueries({
    thresholds: createThresholdsTable({ tableName: config.thresholdsTableName }),
    aggregates: createAggregatesTable({ tableName: config.aggregatesTableName }),
    alerts: createAlertsTable({ tableName: config.alertsTableName }),
  });
}

export function readingsDispatcher() {
  return createDispatcher({
    processor: createReadingsProcessorFunction({ functionName: config.readingsProcessorName }),
    chunkSize: config.fanOutChunkSize,
  });
}

export function readingsProcessor() {
  return createReadingsProcessor({
    store: createRawReadingsTable({ tableName: config.rawReadingsTableName }),
  });
}
