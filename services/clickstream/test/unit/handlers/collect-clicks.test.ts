import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { firehose } from '@serverless-patterns/shared/clients/firehose';
import type { HttpHandler } from '@serverless-patterns/shared/http';
import {
  apiGatewayProxyEvent,
  captureLogsInEachTest,
  commandsSent,
  lambdaContext,
  mockClientsInEachTest,
} from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { exampleClickEvent } from '../../../../../shared/test/unit/schema-examples';
import { functionEnvironmentInThisSuite } from './suite-environment';

const context = lambdaContext({ functionName: 'collect-clicks' });

/** POST /clicks from a page, anonymous, the body as sendBeacon sends it (text/plain JSON). */
const beacon = (body: unknown) =>
  apiGatewayProxyEvent({
    method: 'POST',
    resource: '/',
    body,
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
  });

describe('POST /clicks', () => {
  functionEnvironmentInThisSuite();
  captureLogsInEachTest();
  const mocks = mockClientsInEachTest({ firehose });
  let handler: HttpHandler;

  before(async () => {
    ({ handler } = (await import('../../../src/handlers/collect-clicks')) as { handler: HttpHandler });
  });

  it('puts the clicks into the delivery stream and answers 202 with how many', async () => {
    mocks.firehose
      .on(PutRecordBatchCommand)
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: '1' }, { RecordId: '2' }] });
    const clicks = [exampleClickEvent({ type: 'page_view' }), exampleClickEvent({ type: 'product_view' })];

    const response = await handler(beacon({ clicks }), context);

    expect(response.statusCode).to.equal(202);
    expect(JSON.parse(response.body)).to.deep.equal({ accepted: 2 });
    const [put] = commandsSent(mocks.firehose);
    const input = put?.input as { DeliveryStreamName: string; Records: { Data: Uint8Array }[] };
    expect(input.DeliveryStreamName).to.equal('clicks-stream');
    expect(input.Records.map((record) => JSON.parse(Buffer.from(record.Data).toString()))).to.deep.equal(
      clicks,
    );
  });

  it('sends again only the click Firehose refused', async () => {
    mocks.firehose
      .on(PutRecordBatchCommand)
      .resolvesOnce({
        FailedPutCount: 1,
        RequestResponses: [
          { RecordId: '1' },
          { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' },
        ],
      })
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: '2' }] });
    const clicks = [exampleClickEvent({ page: '/a' }), exampleClickEvent({ page: '/b' })];

    const response = await handler(beacon({ clicks }), context);

    expect(response.statusCode).to.equal(202);
    const resent = commandsSent(mocks.firehose)[1]?.input as { Records: { Data: Uint8Array }[] };
    expect(
      resent.Records.map((record) => JSON.parse(Buffer.from(record.Data).toString()).page),
    ).to.deep.equal(['/b']);
  });

  it('answers 503 naming the clicks Firehose kept refusing, for the page to send them again', async () => {
    mocks.firehose.on(PutRecordBatchCommand).resolves({
      FailedPutCount: 1,
      RequestResponses: [{ ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }],
    });

    const response = await handler(beacon({ clicks: [exampleClickEvent()] }), context);

    expect(response.statusCode).to.equal(503);
    expect(JSON.parse(response.body).error).to.deep.include({
      code: 'SERVICE_UNAVAILABLE',
      details: [{ path: 'clicks.0', message: 'ServiceUnavailableException' }],
    });
  });

  it('refuses a click that breaks the shared schema with a 400 naming the field, and sends nothing', async () => {
    const response = await handler(beacon({ clicks: [{ ...exampleClickEvent(), type: 'hover' }] }), context);

    expect(response.statusCode).to.equal(400);
    expect(JSON.parse(response.body).error.details[0].path).to.equal('clicks.0.type');
    expect(commandsSent(mocks.firehose)).to.deep.equal([]);
  });

  it('refuses an empty batch, and more than 100 clicks', async () => {
    const empty = await handler(beacon({ clicks: [] }), context);
    const many = await handler(
      beacon({ clicks: Array.from({ length: 101 }, () => exampleClickEvent()) }),
      context,
    );

    expect([empty.statusCode, many.statusCode]).to.deep.equal([400, 400]);
  });

  it('refuses a body over 64 KiB with a 413', async () => {
    const response = await handler(beacon(`{"clicks":[${' '.repeat(64 * 1024)}]}`), context);

    expect(response.statusCode).to.equal(413);
  });
});
