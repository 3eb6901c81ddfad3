import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { expect } from 'chai';
import { exampleClickEvent } from '../../../../../shared/test/unit/schema-examples';
import { handler } from '../../../src/handlers/transform-clicks';
import { createFirehoseTransformationEvent, createLambdaContext } from '../firehose-event-factories';

const okClick = JSON.stringify(exampleClickEvent());
const malformedClick = '{"eventId":"3f1c9a52-6d2b-4e8f-9a7c-1b2d3e4f5a6b","type":';
const botClick = JSON.stringify(
  exampleClickEvent({
    userAgent: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  }),
);

/** Runs the handler with stdout and stderr captured, so the test can read the EMF metrics it prints. */
async function invokeCapturingOutput(
  event: FirehoseTransformationEvent,
): Promise<{ response: FirehoseTransformationResult; output: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => chunks.push(String(chunk)) > 0) as typeof stream.write;
  }
  try {
    const response = await handler(event, createLambdaContext());
    return { response, output: chunks.join('') };
  } finally {
    streams.forEach((stream, index) => {
      const write = writes[index];
      if (write !== undefined) stream.write = write;
    });
  }
}

function decoded(data: string | undefined): string {
  return Buffer.from(data ?? '', 'base64').toString('utf8');
}

/** The metric values of every EMF document in the output, by metric name. */
function emittedMetrics(output: string): Record<string, unknown> {
  const documents = output
    .split('\n')
    .filter((line) => line.includes('"_aws"'))
    .map(
      (line) =>
        JSON.parse(line) as { _aws: { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> } },
    );
  return Object.fromEntries(
    documents.flatMap((document) =>
      document._aws.CloudWatchMetrics.flatMap(({ Metrics }) =>
        Metrics.map(({ Name }) => [Name, (document as unknown as Record<string, unknown>)[Name]]),
      ),
    ),
  );
}

describe('transformClicks handler', () => {
  it('answers every record once, in order, with its own result', async () => {
    const event = createFirehoseTransformationEvent(okClick, malformedClick, botClick);

    const { response } = await invokeCapturingOutput(event);

    expect(response.records.map(({ recordId, result }) => [recordId, result])).to.deep.equal([
      ['49546986683135544286507457936321625675700192471156785150', 'Ok'],
      ['49546986683135544286507457936321625675700192471156785151', 'ProcessingFailed'],
      ['49546986683135544286507457936321625675700192471156785152', 'Dropped'],
    ]);
  });

  it('returns the transformed click base64-encoded, as one JSON line with ISO time', async () => {
    const { response } = await invokeCapturingOutput(createFirehoseTransformationEvent(okClick));

    const line = decoded(response.records[0]?.data);

    expect(line.endsWith('\n')).to.equal(true);
    expect(JSON.parse(line))
      .to.include({ time: '2026-11-29T09:30:00.000Z' })
      .and.not.have.property('timestamp');
  });

  it('returns the original data, base64-encoded, of a failed and of a dropped record', async () => {
    const event = createFirehoseTransformationEvent(okClick, malformedClick, botClick);

    const { response } = await invokeCapturingOutput(event);

    expect(response.records.slice(1).map(({ data }) => decoded(data))).to.deep.equal([
      malformedClick,
      botClick,
    ]);
  });

  it('keeps the order of a larger batch', async () => {
    const payloads = Array.from({ length: 10 }, (_, index) =>
      JSON.stringify(exampleClickEvent({ page: `/products/${index}` })),
    );

    const { response } = await invokeCapturingOutput(createFirehoseTransformationEvent(...payloads));

    expect(response.records.map(({ data }) => JSON.parse(decoded(data)).page)).to.deep.equal(
      payloads.map((_, index) => `/products/${index}`),
    );
  });

  it('counts the records of each outcome in its metrics', async () => {
    const event = createFirehoseTransformationEvent(okClick, okClick, malformedClick, botClick);

    const { output } = await invokeCapturingOutput(event);

    expect(emittedMetrics(output)).to.include({ ClicksProcessingFailed: 1, ClicksDropped: 1 });
    expect(emittedMetrics(output).ClicksOk).to.deep.equal([1, 1]);
  });
});
