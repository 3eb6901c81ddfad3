import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import {
  captureLogsInEachTest,
  commandsSent,
  firehoseTransformationEvent,
  type JsonEntry,
  lambdaContext,
  mockClientsInEachTest,
} from '@serverless-patterns/shared/testing';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { expect } from 'chai';
import { exampleClickEvent } from '../../../../../shared/test/unit/schema-examples';
import { functionEnvironmentInThisSuite } from './suite-environment';

const okClick = JSON.stringify(exampleClickEvent());
const malformedClick = '{"eventId":"3f1c9a52-6d2b-4e8f-9a7c-1b2d3e4f5a6b","type":';
const botClick = JSON.stringify(
  exampleClickEvent({
    userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  }),
);
const context = lambdaContext({ functionName: 'transform-clicks' });

/** One Firehose record per payload, each sent as it is (UTF-8). */
const invocationOf = (...payloads: string[]) =>
  firehoseTransformationEvent(...payloads.map((data) => ({ data })));

function decoded(data: string | undefined): string {
  return Buffer.from(data ?? '', 'base64').toString('utf8');
}

/** The value of each metric in the EMF documents flushed, by metric name. */
function metricValues(documents: JsonEntry[]): Record<string, unknown> {
  return Object.fromEntries(
    documents.flatMap((document) => {
      const { CloudWatchMetrics } = document._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] };
      return CloudWatchMetrics.flatMap(({ Metrics }) => Metrics.map(({ Name }) => [Name, document[Name]]));
    }),
  );
}

type Handler = (
  event: FirehoseTransformationEvent,
  context: unknown,
) => Promise<FirehoseTransformationResult>;

describe('transformClicks handler', () => {
  functionEnvironmentInThisSuite();
  const logs = captureLogsInEachTest();
  const mocks = mockClientsInEachTest({ documentClient });
  let handler: Handler;

  before(async () => {
    ({ handler } = (await import('../../../src/handlers/transform-clicks')) as unknown as {
      handler: Handler;
    });
  });
  beforeEach(() => {
    mocks.documentClient.on(BatchGetCommand).resolves({
      Responses: {
        'products-table': [
          { productId: 'sku-ESP-200', name: 'Aria Smart Thermostat', category: 'smart', price: 199 },
        ],
      },
    });
  });

  it('answers every record once, in order, with its own result', async () => {
    const event = invocationOf(okClick, malformedClick, botClick);

    const response = await handler(event, context);

    expect(response.records.map(({ recordId, result }) => [recordId, result])).to.deep.equal([
      ['49546986683135544286507457936321625675700192471156785154', 'Ok'],
      ['49546986683135544286507457936321625675700192471156785155', 'ProcessingFailed'],
      ['49546986683135544286507457936321625675700192471156785156', 'Dropped'],
    ]);
  });

  it('returns the transformed click base64-encoded, as one JSON line with ISO time', async () => {
    const response = await handler(invocationOf(okClick), context);

    const line = decoded(response.records[0]?.data);

    expect(line.endsWith('\n')).to.equal(true);
    expect(JSON.parse(line))
      .to.include({ time: '2026-11-29T09:30:00.000Z' })
      .and.not.have.property('timestamp');
  });

  it('returns the original data, base64-encoded, of a failed and of a dropped record', async () => {
    const event = invocationOf(okClick, malformedClick, botClick);

    const response = await handler(event, context);

    expect(response.records.slice(1).map(({ data }) => decoded(data))).to.deep.equal([
      malformedClick,
      botClick,
    ]);
  });

  it('keeps the order of a larger batch', async () => {
    const payloads = Array.from({ length: 10 }, (_, index) =>
      JSON.stringify(exampleClickEvent({ page: `/products/${index}` })),
    );

    const response = await handler(invocationOf(...payloads), context);

    expect(response.records.map(({ data }) => JSON.parse(decoded(data)).page)).to.deep.equal(
      payloads.map((_, index) => `/products/${index}`),
    );
  });

  it('counts the records of each outcome in its metrics', async () => {
    const event = invocationOf(okClick, okClick, malformedClick, botClick);

    await handler(event, context);

    expect(metricValues(logs.metrics())).to.include({ ClicksProcessingFailed: 1, ClicksDropped: 1 });
    expect(metricValues(logs.metrics()).ClicksOk).to.deep.equal([1, 1]);
  });

  it('enriches a click with its product, and names the partition keys of dynamic partitioning', async () => {
    const response = await handler(
      invocationOf(JSON.stringify(exampleClickEvent({ productId: 'sku-ESP-200' }))),
      context,
    );

    const [record] = response.records;
    expect(JSON.parse(decoded(record?.data)).product).to.deep.equal({
      name: 'Aria Smart Thermostat',
      category: 'smart',
      price: 199,
    });
    expect(record?.metadata?.partitionKeys).to.deep.equal({
      eventType: 'add_to_cart',
      year: '2026',
      month: '11',
      day: '29',
    });
  });

  it('reads the products table for the first invocation of a product only (one cache per container)', async () => {
    await handler(invocationOf(JSON.stringify(exampleClickEvent({ productId: 'sku-CACHE-1' }))), context);
    await handler(invocationOf(JSON.stringify(exampleClickEvent({ productId: 'sku-CACHE-1' }))), context);

    const reads = commandsSent(mocks.documentClient);
    expect(reads).to.have.length(1);
    expect(reads[0]?.input).to.deep.include({
      RequestItems: {
        'products-table': {
          Keys: [{ productId: 'sku-CACHE-1' }],
          ProjectionExpression: 'productId, #name, category, price',
          ExpressionAttributeNames: { '#name': 'name' },
        },
      },
    });
  });
});
