import type { PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { ValidationError } from '@serverless-patterns/shared/errors';
import { expect } from 'chai';
import { createLambdaContext, createS3PutEvent } from '../factories';

type Handler = typeof import('../../../src/handlers/record-upload')['handler'];

/** Runs fn with stdout and stderr captured, so the test can read the logs and EMF metrics it prints. */
async function capturingOutput<T>(
  fn: () => Promise<T>,
): Promise<{ result: PromiseSettledResult<T>; output: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => chunks.push(String(chunk)) > 0) as typeof stream.write;
  }
  try {
    const [result] = await Promise.allSettled([fn()]);
    if (result === undefined) throw new Error('Promise.allSettled returned no result');
    return { result, output: chunks.join('') };
  } finally {
    streams.forEach((stream, index) => {
      const write = writes[index];
      if (write !== undefined) stream.write = write;
    });
  }
}

describe('recordUpload handler', () => {
  const sent: PutCommand[] = [];
  const originalSend = documentClient.send;
  let putFailure: string | undefined;
  const savedTableName = process.env.IMAGES_TABLE_NAME;
  let handler: Handler;

  before(async () => {
    process.env.IMAGES_TABLE_NAME = 'images-table';
    ({ handler } = await import('../../../src/handlers/record-upload'));
    documentClient.send = (async (command: PutCommand) => {
      sent.push(command);
      if (putFailure !== undefined) throw Object.assign(new Error(putFailure), { name: putFailure });
      return {};
    }) as typeof documentClient.send;
  });

  beforeEach(() => {
    sent.length = 0;
    putFailure = undefined;
  });

  after(() => {
    documentClient.send = originalSend;
    if (savedTableName === undefined) delete process.env.IMAGES_TABLE_NAME;
    else process.env.IMAGES_TABLE_NAME = savedTableName;
  });

  it('writes a PROCESSING record for an upload, with its key decoded, and counts it', async () => {
    const event = createS3PutEvent({ key: 'uploads/owner-1/my+photo%281%29.jpg' });

    const { result, output } = await capturingOutput(() => handler(event, createLambdaContext()));

    expect(result.status).to.equal('fulfilled');
    expect(sent).to.have.length(1);
    expect(sent[0]?.input).to.deep.include({
      TableName: 'images-table',
      ConditionExpression: 'attribute_not_exists(imageId)',
    });
    expect(sent[0]?.input.Item).to.include({
      ownerId: 'owner-1',
      key: 'uploads/owner-1/my photo(1).jpg',
      status: 'PROCESSING',
    });
    expect(output).to.contain('"UploadsRecorded"');
  });

  it('succeeds on a replayed notification and counts it as a replay', async () => {
    putFailure = 'ConditionalCheckFailedException';

    const { result, output } = await capturingOutput(() =>
      handler(createS3PutEvent(), createLambdaContext()),
    );

    expect(result.status).to.equal('fulfilled');
    expect(output).to.contain('"UploadReplaysIgnored"');
  });

  it('fails the invocation for a key outside uploads/, so the event ends in the failure queue', async () => {
    const event = createS3PutEvent({ key: 'test/key' });

    const { result, output } = await capturingOutput(() => handler(event, createLambdaContext()));

    expect(result.status).to.equal('rejected');
    expect(result.status === 'rejected' && result.reason).to.be.instanceOf(ValidationError);
    expect(sent).to.have.length(0);
    expect(output).to.contain('upload not recorded').and.to.contain('test/key');
  });
});
