import { ExecutionAlreadyExists, StartExecutionCommand, StateMachineDoesNotExist } from '@aws-sdk/client-sfn';
import { stepFunctions } from '@serverless-patterns/shared/clients/step-functions';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createProcessingWorkflow } from '../../../src/adapters/processing-workflow';

describe('processing workflow adapter', () => {
  const mocks = mockClientsInEachTest({ stepFunctions });
  const workflow = () => createProcessingWorkflow({ stateMachineArn: 'arn:sm' });
  const job = { imageId: 'abc', ownerId: 'owner-1', bucket: 'images', key: 'uploads/owner-1/a.jpg' };

  it('starts an execution named after the image with the job as input', async () => {
    mocks.stepFunctions
      .on(StartExecutionCommand)
      .resolves({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:m:e' });

    const outcome = await workflow().start('abc', job);

    expect(outcome).to.equal('started');
    expect(commandsSent(mocks.stepFunctions)).to.deep.equal([
      {
        name: 'StartExecutionCommand',
        input: { stateMachineArn: 'arn:sm', name: 'abc', input: JSON.stringify(job) },
      },
    ]);
  });

  it('counts ExecutionAlreadyExists (a replay) as success', async () => {
    mocks.stepFunctions
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution already exists', $metadata: {} }));

    expect(await workflow().start('abc', job)).to.equal('exists');
  });

  it('lets other errors fail the invocation (S3 retries it, then parks it in the failure queue)', async () => {
    mocks.stepFunctions
      .on(StartExecutionCommand)
      .rejects(new StateMachineDoesNotExist({ message: 'State machine does not exist', $metadata: {} }));

    const error = await workflow()
      .start('abc', job)
      .catch((caught: unknown) => caught);

    expect(error).to.have.property('name', 'StateMachineDoesNotExist');
  });
});
