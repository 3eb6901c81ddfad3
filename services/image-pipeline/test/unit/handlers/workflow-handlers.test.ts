import { readFileSync } from 'node:fs';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { s3 } from '@serverless-patterns/shared/clients/s3';
import { stepFunctions } from '@serverless-patterns/shared/clients/step-functions';
import { ValidationError } from '@serverless-patterns/shared/errors';
import {
  captureLogsInEachTest,
  commandsSent,
  lambdaContext,
  mockClientsInEachTest,
  s3Event,
  s3PutEvent,
  s3PutRecord,
} from '@serverless-patterns/shared/testing';
import type { Context, S3Event } from 'aws-lambda';
import { expect } from 'chai';
import { FAILURE_MESSAGES } from '../../../src/core/images';
import { imageIdOf } from '../../../src/core/uploads';
import { COFFEE } from '../fixtures';
import { commandsInOrder, ENVIRONMENT, functionEnvironmentInThisSuite } from './suite-environment';

type Handler<E> = (event: E, context: Context) => Promise<unknown>;

function namedError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

/** A notification carrying `eventKey` exactly as given: S3's encoding, written out by the test. */
function notificationWithEventKey(eventKey: string): S3Event {
  const record = s3PutRecord();
  record.s3.object.key = eventKey;
  return s3Event(record);
}

const UPLOAD = 'uploads/owner-1/upload-1/photo.jpg';

describe('workflow handlers', function () {
  this.timeout(20_000);
  functionEnvironmentInThisSuite();
  const mocks = mockClientsInEachTest({ documentClient, s3, stepFunctions });
  const logs = captureLogsInEachTest();
  let startProcessing: Handler<S3Event>;
  let extractMetadata: Handler<unknown>;
  let recordFailure: Handler<unknown>;

  before(async () => {
    ({ handler: startProcessing } = await import('../../../src/handlers/start-processing'));
    ({ handler: extractMetadata } = await import('../../../src/handlers/extract-metadata'));
    ({ handler: recordFailure } = await import('../../../src/handlers/record-failure'));
  });

  const metricNames = () => logs.metrics().flatMap((document) => Object.keys(document));
  const failureOf = (invocation: Promise<unknown>) =>
    invocation.then(
      () => expect.fail('the invocation succeeded'),
      (error: unknown) => error,
    );

  describe('startProcessing (S3 trigger)', () => {
    it('writes the PROCESSING record, then starts an execution named after the image', async () => {
      await startProcessing(
        s3PutEvent({ key: 'uploads/owner-1/upload-1/my photo.jpg', versionId: 'v1' }),
        lambdaContext(),
      );

      const sent = commandsInOrder(mocks.documentClient, mocks.stepFunctions);
      expect(sent.map(({ name }) => name)).to.deep.equal(['PutCommand', 'StartExecutionCommand']);
      const item = (sent[0]?.input as { Item?: Record<string, unknown> } | undefined)?.Item;
      expect(item).to.include({
        status: 'PROCESSING',
        key: 'uploads/owner-1/upload-1/my photo.jpg',
        versionId: 'v1',
      });
      expect(sent[1]?.input).to.include({
        stateMachineArn: ENVIRONMENT.STATE_MACHINE_ARN,
        name: item?.imageId,
      });
      expect(metricNames()).to.include('ImageProcessingStarted');
    });

    it('records every object of a notification with its bucket, key and version id', async () => {
      await startProcessing(
        s3PutEvent(
          { bucket: 'images', key: 'uploads/a/u1/one.jpg', eTag: 'e1', versionId: 'v1' },
          { bucket: 'images', key: 'uploads/b/u2/two.jpg', eTag: 'e2' },
        ),
        lambdaContext(),
      );

      const items = commandsSent(mocks.documentClient).map(({ input }) => (input as { Item: unknown }).Item);
      expect(items).to.have.length(2);
      expect(items[0]).to.deep.include({
        imageId: imageIdOf('images', 'uploads/a/u1/one.jpg'),
        bucket: 'images',
        key: 'uploads/a/u1/one.jpg',
        versionId: 'v1',
      });
      expect(items[1]).to.deep.include({
        imageId: imageIdOf('images', 'uploads/b/u2/two.jpg'),
        bucket: 'images',
        key: 'uploads/b/u2/two.jpg',
      });
      expect(items[1]).not.to.have.property('versionId');
    });

    it("turns '+' into spaces and percent escapes into characters", async () => {
      await startProcessing(
        notificationWithEventKey('uploads/owner-1/upload-1/summer+holiday+%282024%29.jpg'),
        lambdaContext(),
      );

      expect(commandsSent(mocks.documentClient)[0]?.input).to.have.nested.property(
        'Item.key',
        'uploads/owner-1/upload-1/summer holiday (2024).jpg',
      );
    });

    it("keeps an encoded '+' and decodes an encoded '/' and UTF-8 (and the '/' makes it no upload)", async () => {
      const error = await failureOf(
        startProcessing(
          notificationWithEventKey('uploads/owner-1/upload-1/a%2Bb%2Fc-%C3%A9t%C3%A9.png'),
          lambdaContext(),
        ),
      );

      expect(error)
        .to.be.instanceOf(ValidationError)
        .with.property('message')
        .that.contains('Object key "uploads/owner-1/upload-1/a+b/c-été.png" is not an upload');
      expect(commandsInOrder(mocks.documentClient, mocks.stepFunctions)).to.deep.equal([]);
    });

    it('refuses a malformed escape with a ValidationError naming the key, and writes nothing', async () => {
      const error = await failureOf(
        startProcessing(notificationWithEventKey('uploads/owner-1/upload-1/100%.jpg'), lambdaContext()),
      );

      expect(error)
        .to.be.instanceOf(ValidationError)
        .with.property(
          'message',
          'Object key "uploads/owner-1/upload-1/100%.jpg" is not a valid URL-encoded key',
        );
      expect(commandsInOrder(mocks.documentClient, mocks.stepFunctions)).to.deep.equal([]);
    });

    const executionExists = () =>
      mocks.stepFunctions
        .on(StartExecutionCommand)
        .rejects(new ExecutionAlreadyExists({ message: 'Execution already exists', $metadata: {} }));

    it('succeeds on a replay: record exists (same version), execution exists', async () => {
      mocks.documentClient.on(PutCommand).rejects(namedError('ConditionalCheckFailedException'));
      mocks.documentClient.on(GetCommand).resolves({ Item: { key: UPLOAD, versionId: 'v1' } });
      executionExists();

      await startProcessing(s3PutEvent({ key: UPLOAD, versionId: 'v1' }), lambdaContext());

      expect(metricNames()).to.include('UploadReplaysIgnored');
      expect(commandsSent(mocks.s3)).to.deep.equal([]);
    });

    it('deletes a second object at an upload key and starts nothing (a presigned POST used again)', async () => {
      mocks.documentClient.on(PutCommand).rejects(namedError('ConditionalCheckFailedException'));
      mocks.documentClient.on(GetCommand).resolves({ Item: { key: UPLOAD, versionId: 'v1' } });

      await startProcessing(s3PutEvent({ bucket: 'images', key: UPLOAD, versionId: 'v2' }), lambdaContext());

      expect(commandsSent(mocks.stepFunctions)).to.deep.equal([]);
      expect(commandsSent(mocks.s3)).to.deep.equal([
        { name: 'DeleteObjectCommand', input: { Bucket: 'images', Key: UPLOAD, VersionId: 'v2' } },
      ]);
      expect(metricNames()).to.include('UploadKeyReusesRefused');
      expect(logs.logs().find(({ message }) => message === 'upload not processed')).to.include({
        outcome: 'key-reused',
        level: 'WARN',
      });
    });

    it('removes the record it wrote again for an image already deleted, and that version, on a replay', async () => {
      executionExists();

      await startProcessing(s3PutEvent({ bucket: 'images', key: UPLOAD, versionId: 'v1' }), lambdaContext());

      expect(
        commandsInOrder(mocks.documentClient, mocks.stepFunctions, mocks.s3).map(({ name }) => name),
      ).to.deep.equal(['PutCommand', 'StartExecutionCommand', 'DeleteCommand', 'DeleteObjectCommand']);
      expect(metricNames()).to.include('DeletedImageEventsDiscarded');
    });

    it('fails the invocation when Step Functions fails, for S3 to retry it', async () => {
      mocks.stepFunctions.on(StartExecutionCommand).rejects(namedError('ServiceUnavailable'));

      const error = await failureOf(startProcessing(s3PutEvent({ key: UPLOAD }), lambdaContext()));

      expect(error).to.have.property('name', 'ServiceUnavailable');
    });
  });

  describe('extractMetadata (state machine task)', () => {
    it('returns the job with the extraction the Choice state reads', async () => {
      const bytes = readFileSync(COFFEE);
      mocks.s3.on(GetObjectCommand).resolves({
        ContentLength: bytes.length,
        Body: { transformToByteArray: async () => new Uint8Array(bytes) } as never,
      });
      const job = {
        imageId: 'img-1',
        ownerId: 'owner-1',
        bucket: 'images',
        key: 'uploads/owner-1/upload-1/c.png',
        versionId: 'v9',
      };

      const result = await extractMetadata(job, lambdaContext());

      expect(result).to.deep.include({ ...job });
      expect(result).to.have.nested.property('extraction.supported', true);
      // One GET of that version: its Content-Length says whether it is small enough to read.
      expect(commandsSent(mocks.s3)).to.deep.equal([
        {
          name: 'GetObjectCommand',
          input: { Bucket: 'images', Key: 'uploads/owner-1/upload-1/c.png', VersionId: 'v9' },
        },
      ]);
      // The execution is named after the image: its id ties each step's lines together.
      expect(logs.logs().find(({ message }) => message === 'metadata extracted')).to.include({
        correlation_id: 'img-1',
      });
    });
  });

  describe('recordFailure (Catch target)', () => {
    it('records FAILED with a code and its message, then deletes both thumbnails; the cause goes to the log', async () => {
      const cause = JSON.stringify({
        errorMessage: 'User: arn:aws:sts::123456789012:assumed-role/r/f is not authorized: Rate exceeded',
        trace: [],
      });
      const state = {
        imageId: 'img-1',
        ownerId: 'owner-1',
        bucket: 'images',
        key: 'uploads/owner-1/upload-1/c.png',
        failure: { Error: 'ThrottlingException', Cause: cause },
      };

      await recordFailure(state, lambdaContext());

      const sent = commandsInOrder(mocks.s3, mocks.documentClient);
      expect(
        sent.map(({ name, input }) => `${name} ${JSON.stringify((input as { Key: unknown }).Key)}`),
      ).to.deep.equal([
        'UpdateCommand {"imageId":"img-1"}',
        'DeleteObjectCommand "thumbnails/owner-1/img-1/square.webp"',
        'DeleteObjectCommand "thumbnails/owner-1/img-1/preview.webp"',
      ]);
      const update = sent[0]?.input as { ExpressionAttributeValues?: Record<string, unknown> };
      expect(update).to.deep.include({ ConditionExpression: 'attribute_exists(imageId)' });
      expect(update.ExpressionAttributeValues).to.deep.include({
        ':status': 'FAILED',
        ':failure': { code: 'ServiceUnavailable', message: FAILURE_MESSAGES.ServiceUnavailable },
      });
      expect(JSON.stringify(update)).to.not.contain('123456789012');
      expect(logs.logs().find(({ message }) => message === 'image processing failed')).to.deep.include({
        code: 'ServiceUnavailable',
        failure: state.failure,
      });
    });
  });
});
