import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { kinesis } from '@serverless-patterns/shared/clients/kinesis';
import type { HttpHandler } from '@serverless-patterns/shared/http';
import {
  apiGatewayProxyEvent,
  captureLogsInEachTest,
  commandsSent,
  lambdaContext,
  mockClientsInEachTest,
} from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { functionEnvironmentInThisSuite } from './suite-environment';

const context = lambdaContext({ functionName: 'collect-telemetry' });

const reading = (readingId: string, temperatureC = 21.5) => ({
  readingId,
  temperatureC,
  humidity: 40,
  recordedAt: '2026-12-05T07:00:00.000Z',
});

/** POST /telemetry/{deviceId} as API Gateway passes it after the device authorizer let `tokenDevice` in. */
const post = (deviceId: string, body: unknown, tokenDevice = deviceId) =>
  apiGatewayProxyEvent({
    method: 'POST',
    resource: '/telemetry/{deviceId}',
    pathParameters: { deviceId },
    body,
    headers: { 'content-type': 'application/json' },
    authorizer: { deviceId: tokenDevice, ownerId: 'owner-1' },
  });

describe('POST /telemetry/{deviceId}', () => {
  functionEnvironmentInThisSuite();
  captureLogsInEachTest();
  const mocks = mockClientsInEachTest({ kinesis });
  let handler: HttpHandler;

  before(async () => {
    ({ handler } = (await import('../../../src/handlers/collect-telemetry')) as { handler: HttpHandler });
  });

  it('puts one record per reading, keyed by the device, and answers 202', async () => {
    mocks.kinesis.on(PutRecordsCommand).resolves({
      FailedRecordCount: 0,
      Records: [
        { SequenceNumber: '1', ShardId: 's' },
        { SequenceNumber: '2', ShardId: 's' },
      ],
    });

    const response = await handler(post('dev-1', { readings: [reading('r1'), reading('r2')] }), context);

    expect(response.statusCode, response.body).to.equal(202);
    expect(JSON.parse(response.body)).to.deep.equal({ accepted: 2 });
    const [put] = commandsSent(mocks.kinesis);
    const input = put?.input as { StreamName: string; Records: { Data: Uint8Array; PartitionKey: string }[] };
    expect(input.StreamName).to.equal('telemetry-stream');
    expect(input.Records.map((record) => record.PartitionKey)).to.deep.equal(['dev-1', 'dev-1']);
    expect(JSON.parse(Buffer.from(input.Records[0]?.Data ?? []).toString())).to.deep.equal({
      deviceId: 'dev-1',
      ...reading('r1'),
    });
  });

  it('sends again only the reading Kinesis refused', async () => {
    mocks.kinesis
      .on(PutRecordsCommand)
      .resolvesOnce({
        FailedRecordCount: 1,
        Records: [
          { SequenceNumber: '1', ShardId: 's' },
          { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' },
        ],
      })
      .resolves({ FailedRecordCount: 0, Records: [{ SequenceNumber: '2', ShardId: 's' }] });

    const response = await handler(post('dev-1', { readings: [reading('r1'), reading('r2')] }), context);

    expect(response.statusCode).to.equal(202);
    const [, retry] = commandsSent(mocks.kinesis);
    const records = (retry?.input as { Records: { Data: Uint8Array }[] } | undefined)?.Records ?? [];
    expect(records.map((record) => JSON.parse(Buffer.from(record.Data).toString()).readingId)).to.deep.equal([
      'r2',
    ]);
  });

  it('answers 503 naming the readings still refused after the last try', async () => {
    mocks.kinesis.on(PutRecordsCommand).resolves({
      FailedRecordCount: 1,
      Records: [{ ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' }],
    });

    const response = await handler(post('dev-1', { readings: [reading('r1')] }), context);

    expect(response.statusCode).to.equal(503);
    expect(JSON.parse(response.body).error.details).to.deep.equal([
      { path: 'readings.0', message: 'ProvisionedThroughputExceededException' },
    ]);
  });

  it('refuses a malformed body with a 400 naming the field, and puts nothing', async () => {
    const response = await handler(post('dev-1', { readings: [reading('r1', 900)] }), context);

    expect(response.statusCode).to.equal(400);
    expect(response.body).to.include('readings.0.temperatureC');
    expect(commandsSent(mocks.kinesis)).to.have.length(0);
  });

  it("refuses a token on another device's route with a 403", async () => {
    const response = await handler(post('dev-2', { readings: [reading('r1')] }, 'dev-1'), context);

    expect(response.statusCode).to.equal(403);
    expect(commandsSent(mocks.kinesis)).to.have.length(0);
  });
});
