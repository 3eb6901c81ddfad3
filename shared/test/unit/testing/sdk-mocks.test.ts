import { Tracer } from '@aws-lambda-powertools/tracer';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { documentClient } from '../../../src/clients/dynamodb';
import { s3 } from '../../../src/clients/s3';
import { sns } from '../../../src/clients/sns';
import { stepFunctions } from '../../../src/clients/step-functions';
import { commandsSent, mockClient, mockClientsInEachTest } from '../../../src/testing';

const realSends = [documentClient.send, s3.send, sns.send, stepFunctions.send];

describe('testing: SDK mocks', () => {
  describe('mockClientsInEachTest, on the shared clients', () => {
    const mocks = mockClientsInEachTest({ documentClient, s3, sns, stepFunctions });

    before(() => {
      expect(() => mocks.s3).to.throw('s3 is mocked only while a test runs');
    });

    it('answers the commands a test names', async () => {
      mocks.documentClient
        .on(GetCommand, { Key: { pk: 'DEVICE#dev-1' } })
        .resolves({ Item: { name: 'Kitchen' } });
      mocks.s3.on(HeadObjectCommand).resolves({ ContentLength: 7 });
      mocks.sns.on(PublishCommand).resolves({ MessageId: 'm-1' });
      mocks.stepFunctions.on(StartExecutionCommand).rejects(new Error('ExecutionLimitExceeded'));

      const item = await documentClient.send(
        new GetCommand({ TableName: 'api', Key: { pk: 'DEVICE#dev-1' } }),
      );
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'images', Key: 'a.jpg' }));
      const published = await sns.send(
        new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'm' }),
      );
      const started = stepFunctions.send(
        new StartExecutionCommand({ stateMachineArn: 'arn:aws:states:::sm' }),
      );

      expect(item.Item).to.deep.equal({ name: 'Kitchen' });
      expect(head.ContentLength).to.equal(7);
      expect(published.MessageId).to.equal('m-1');
      await started.then(
        () => expect.fail('the start should have been refused'),
        (error: Error) => expect(error.message).to.equal('ExecutionLimitExceeded'),
      );
    });

    it('starts each test with fresh stubs (runs after the test above)', async () => {
      const answer = await documentClient.send(
        new GetCommand({ TableName: 'api', Key: { pk: 'DEVICE#dev-1' } }),
      );

      expect(answer).to.equal(undefined);
      expect(mocks.sns.calls()).to.have.length(0);
    });

    it('lists the commands a client was sent, in order', async () => {
      await documentClient.send(new PutCommand({ TableName: 'api', Item: { pk: 'DEVICE#dev-1' } }));
      await documentClient.send(new GetCommand({ TableName: 'api', Key: { pk: 'DEVICE#dev-1' } }));

      expect(commandsSent(mocks.documentClient)).to.deep.equal([
        { name: 'PutCommand', input: { TableName: 'api', Item: { pk: 'DEVICE#dev-1' } } },
        { name: 'GetCommand', input: { TableName: 'api', Key: { pk: 'DEVICE#dev-1' } } },
      ]);
    });
  });

  // Mocha runs a suite's own tests before its child suites: this check lives in a later sibling.
  describe('after a describe that mocked the shared clients', () => {
    it('has given each client its real send', () => {
      expect([documentClient.send, s3.send, sns.send, stepFunctions.send]).to.deep.equal(realSends);
    });
  });

  describe('mockClient', () => {
    it('is the one of aws-sdk-client-mock, for a test that manages its own stub', async () => {
      const stub = mockClient(sns);
      try {
        stub.on(PublishCommand).resolves({ MessageId: 'm-2' });

        const published = await sns.send(
          new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'm' }),
        );

        expect(published.MessageId).to.equal('m-2');
      } finally {
        stub.restore();
      }
      expect(sns.send).to.equal(realSends[2]);
    });

    it('answers for a client the tracer wrapped as in Lambda, X-Ray middleware and all', async () => {
      // Outside Lambda the tracer leaves clients alone; AWS_EXECUTION_ENV makes it trace, as in AWS.
      const saved = process.env.AWS_EXECUTION_ENV;
      process.env.AWS_EXECUTION_ENV = 'AWS_Lambda_nodejs24.x';
      const tracer = new Tracer();
      if (saved === undefined) delete process.env.AWS_EXECUTION_ENV;
      else process.env.AWS_EXECUTION_ENV = saved;
      const client = new SNSClient({});
      const plainMiddleware = client.middlewareStack.identify().length;
      const traced = tracer.captureAWSv3Client(client);
      expect(traced.middlewareStack.identify().length).to.be.greaterThan(plainMiddleware);

      const stub = mockClient(traced);
      stub.on(PublishCommand).resolves({ MessageId: 'm-3' });
      const published = await traced.send(
        new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:1:t', Message: 'm' }),
      );
      stub.restore();

      expect(published.MessageId).to.equal('m-3');
    });
  });
});
