import {
  captureLogsInEachTest,
  firehoseTransformationEvent,
  type JsonEntry,
  lambdaContext,
} from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { exampleClickEvent } from '../../../../../shared/test/unit/schema-examples';
import { handler } from '../../../src/handlers/transform-clicks';

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

describe('transformClicks handler', () => {
  const logs = captureLogsInEachTest();

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
});
