import { readFileSync } from 'node:fs';
import type { Context, S3Event } from 'aws-lambda';
import { expect } from 'chai';
import { createLambdaContext, createS3PutEvent } from '../factories';
import { COFFEE } from '../fixtures';
import { createHandlerHarness, quietly } from './harness';

type Handler<E> = (event: E, context: Context) => Promise<unknown>;

function namedError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

describe('workflow handlers', function () {
  this.timeout(20_000);
  const harness = createHandlerHarness();
  let startProcessing: Handler<S3Event>;
  let extractMetadata: Handler<unknown>;
  let recordFailure: Handler<unknown>;

  before(async () => {
    startProcessing = await harness.load('start-processing');
    extractMetadata = await harness.load('extract-metadata');
    recordFailure = await harness.load('record-failure');
  });
  beforeEach(() => harness.reset());
  after(() => harness.restore());

  describe('startProcessing (S3 trigger)', () => {
    it('writes the PROCESSING record, then starts an execution named after the image', async () => {
      const { result, output } = await quietly(() =>
        startProcessing(
          createS3PutEvent({ key: 'uploads/owner-1/my+photo.jpg', versionId: 'v1' }),
          createLambdaContext(),
        ),
      );

      expect(result.status).to.equal('fulfilled');
      expect(harness.sent.map(({ name }) => name)).to.deep.equal(['PutCommand', 'StartExecutionCommand']);
      const item = harness.sent[0]?.input.Item as Record<string, unknown>;
      expect(item).to.include({ status: 'PROCESSING', key: 'uploads/owner-1/my photo.jpg', versionId: 'v1' });
      expect(harness.sent[1]?.input).to.include({
        stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:process-image',
        name: item.imageId,
      });
      expect(output).to.contain('"ImageProcessingStarted"');
    });

    it('succeeds on a replay: record exists, execution exists', async () => {
      harness.respondWith(({ name }) => {
        throw namedError(
          name === 'PutCommand' ? 'ConditionalCheckFailedException' : 'ExecutionAlreadyExists',
        );
      });

      const { result, output } = await quietly(() =>
        startProcessing(createS3PutEvent(), createLambdaContext()),
      );

      expect(result.status).to.equal('fulfilled');
      expect(output).to.contain('"UploadReplaysIgnored"');
    });

    it('fails the invocation when Step Functions fails, for S3 to retry it', async () => {
      harness.respondWith(({ name }) => {
        if (name === 'StartExecutionCommand') throw namedError('ServiceUnavailable');
        return {};
      });

      const { result } = await quietly(() => startProcessing(createS3PutEvent(), createLambdaContext()));

      expect(result.status).to.equal('rejected');
    });
  });

  describe('extractMetadata (state machine task)', () => {
    it('returns the job with the extraction the Choice state reads', async () => {
      const bytes = readFileSync(COFFEE);
      harness.respondWith(({ name }) =>
        name === 'HeadObjectCommand'
          ? { ContentLength: bytes.length }
          : { Body: { transformToByteArray: async () => new Uint8Array(bytes) } },
      );
      const job = {
        imageId: 'img-1',
        ownerId: 'owner-1',
        bucket: 'images',
        key: 'uploads/owner-1/c.png',
        versionId: 'v9',
      };

      const { result } = await quietly(() => extractMetadata(job, createLambdaContext()));

      expect(result.status).to.equal('fulfilled');
      expect(result.status === 'fulfilled' && result.value).to.deep.include({ ...job });
      expect(result.status === 'fulfilled' && result.value).to.have.nested.property(
        'extraction.supported',
        true,
      );
      expect(harness.sent.map(({ input }) => input.VersionId)).to.deep.equal(['v9', 'v9']);
    });
  });

  describe('recordFailure (Catch target)', () => {
    it('deletes both thumbnails and records FAILED with the error and the message of its cause', async () => {
      const state = {
        imageId: 'img-1',
        ownerId: 'owner-1',
        bucket: 'images',
        key: 'uploads/owner-1/c.png',
        failure: {
          Error: 'ThrottlingException',
          Cause: JSON.stringify({ errorMessage: 'Rate exceeded', trace: [] }),
        },
      };

      const { result } = await quietly(() => recordFailure(state, createLambdaContext()));

      expect(result.status).to.equal('fulfilled');
      expect(
        harness.sent.map(({ name, input }) => `${name} ${String(input.Key && JSON.stringify(input.Key))}`),
      ).to.deep.equal([
        'DeleteObjectCommand "thumbnails/owner-1/img-1/square.webp"',
        'DeleteObjectCommand "thumbnails/owner-1/img-1/preview.webp"',
        'UpdateCommand {"imageId":"img-1"}',
      ]);
      expect(harness.sent[2]?.input).to.deep.include({ ConditionExpression: 'attribute_exists(imageId)' });
      expect(harness.sent[2]?.input.ExpressionAttributeValues).to.deep.include({
        ':status': 'FAILED',
        ':failure': { error: 'ThrottlingException', cause: 'Rate exceeded' },
      });
    });
  });
});
