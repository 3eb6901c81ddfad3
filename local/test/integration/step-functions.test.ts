import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { functionArnTaskHistory, lambdaInvokeOutputKeys, lambdaInvokeTaskHistory } from '../aws-samples';
import { fixtureSuite, uniqueId } from './support';

/** What the fixture's stepWorker recorded: when each invocation started, and its event. */
interface WorkerInvocation {
  at: number;
  event: { key?: string };
}

describe('local cloud: Step Functions', () => {
  const fixture = fixtureSuite();
  const sfn = () => fixture.aws.sfn;

  async function run(
    machine: string,
    input: unknown,
    name?: string,
  ): Promise<DescribeExecutionCommandOutput> {
    const { executionArn } = await sfn().send(
      new StartExecutionCommand({
        stateMachineArn: fixture.resource(machine),
        input: JSON.stringify(input),
        ...(name ? { name } : {}),
      }),
    );
    const described = await fixture.cloud.eventually(
      () => sfn().send(new DescribeExecutionCommand({ executionArn })),
      (execution) => execution.status !== 'RUNNING',
    );
    expect(described.status, `${machine} still running`).to.not.equal('RUNNING');
    return described;
  }

  async function historyTypes(executionArn: string | undefined): Promise<string[]> {
    const { events } = await sfn().send(new GetExecutionHistoryCommand({ executionArn }));
    return (events ?? []).map((event) => event.type as string);
  }

  async function errorOf(promise: Promise<unknown>): Promise<Error> {
    try {
      await promise;
    } catch (error) {
      return error as Error;
    }
    throw new Error('the call succeeded');
  }

  it('publishes its endpoint as AWS_ENDPOINT_URL_SFN, to tests and to every function', () => {
    expect(fixture.cloud.description.endpoints.stepfunctions).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fixture.cloud.env.AWS_ENDPOINT_URL_SFN).to.equal(
      fixture.cloud.description.endpoints.stepfunctions,
    );
    expect(fixture.resource('InvokeShapesMachine')).to.equal(
      'arn:aws:states:us-east-1:000000000000:stateMachine:local-fixture-local-invoke-shapes',
    );
    expect(fixture.cloud.description.warnings.join('\n')).to.not.match(
      /StepFunctions::StateMachine\) is not emulated/,
    );
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
  it('gives a function ARN task its result and lambda:invoke the wrapped Invoke response, with the history AWS records', async () => {
    const execution = await run('InvokeShapesMachine', { value: 2 });

    expect(execution.status).to.equal('SUCCEEDED');
    const output = JSON.parse(execution.output as string);
    expect(output).to.have.all.keys(...lambdaInvokeOutputKeys);
    expect(output).to.deep.include({ ExecutedVersion: '$LATEST', StatusCode: 200, Payload: { value: 4 } });
    expect(output.SdkHttpMetadata.HttpStatusCode).to.equal(200);
    expect(await historyTypes(execution.executionArn)).to.deep.equal([
      'ExecutionStarted',
      ...functionArnTaskHistory,
      ...lambdaInvokeTaskHistory,
      'ExecutionSucceeded',
    ]);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
  it('retries a function error with backoff (20 s then 60 s, scaled by 0.005) and then succeeds', async () => {
    const key = uniqueId('sfn-retry');

    const execution = await run('RetryWithBackoffMachine', { key, failTimes: 2, value: 5 });

    expect(execution.status).to.equal('SUCCEEDED');
    expect(JSON.parse(execution.output as string)).to.deep.equal({ value: 10 });
    const attempts = ((await fixture.cloud.recordings('stepWorker')) as unknown as WorkerInvocation[]).filter(
      (invocation) => invocation.event.key === key,
    );
    expect(attempts).to.have.length(3);
    const [first, second, third] = attempts.map((attempt) => attempt.at) as [number, number, number];
    expect(second - first, 'first pause: 20 s x 0.005').to.be.at.least(100);
    expect(third - second, 'second pause: 20 s x 3 x 0.005').to.be.at.least(300);
    expect(third - first, 'AWS would wait 80 s').to.be.below(5_000);
    const history = await historyTypes(execution.executionArn);
    expect(history.filter((type) => type === 'TaskFailed')).to.have.length(2);
    expect(history.filter((type) => type === 'TaskScheduled')).to.have.length(3);
  });

  it('fails the execution with the function error once its retrier is spent (Lambda.ServiceException did not match)', async () => {
    const key = uniqueId('sfn-retries-spent');

    const execution = await run('RetryWithBackoffMachine', { key, failTimes: 10 });

    expect(execution.status).to.equal('FAILED');
    expect(execution.error).to.equal('Error');
    expect(JSON.parse(execution.cause as string)).to.include({
      errorType: 'Error',
      errorMessage: 'transient failure 3 of 10',
    });
  });

  it('catches a function error with States.TaskFailed and puts Error and Cause at ResultPath', async () => {
    const key = uniqueId('sfn-catch');

    const execution = await run('CatchFunctionErrorMachine', { key, failTimes: 1 });

    expect(execution.status).to.equal('SUCCEEDED');
    const output = JSON.parse(execution.output as string);
    expect(output.key).to.equal(key);
    expect(output.error.Error).to.equal('Error');
    expect(JSON.parse(output.error.Cause)).to.include({
      errorType: 'Error',
      errorMessage: 'transient failure 1 of 1',
    });
  });

  it('runs Parallel branches and gathers their results in order', async () => {
    const execution = await run('FanOutAndMapMachine', { mode: 'parallel', value: 5 });

    expect(execution.status).to.equal('SUCCEEDED');
    expect(JSON.parse(execution.output as string)).to.deep.equal([{ value: 10 }, { branch: 'second' }]);
    const history = await historyTypes(execution.executionArn);
    expect(history).to.include.members([
      'ChoiceStateEntered',
      'ParallelStateEntered',
      'ParallelStateSucceeded',
    ]);
  });

  it('chooses the Map branch and maps every item through the function, in order', async () => {
    const execution = await run('FanOutAndMapMachine', { mode: 'map', items: [1, 2, 3, 4] });

    expect(execution.status).to.equal('SUCCEEDED');
    expect(JSON.parse(execution.output as string)).to.deep.equal([2, 4, 6, 8]);
    const history = await historyTypes(execution.executionArn);
    expect(history.filter((type) => type === 'MapIterationStarted')).to.have.length(4);
    expect(history.filter((type) => type === 'TaskSucceeded')).to.have.length(4);
  });

  it("takes the Choice's Default to a Fail state, whose Error and Cause end the execution", async () => {
    const execution = await run('FanOutAndMapMachine', { mode: 'sideways' });

    expect(execution.status).to.equal('FAILED');
    expect(execution.error).to.equal('UnknownMode');
    expect(execution.cause).to.equal('mode must be parallel or map');
  });

  // https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
  it('refuses a second execution with the name of a finished one: ExecutionAlreadyExists', async () => {
    const name = uniqueId('sfn-name');
    await run('FanOutAndMapMachine', { mode: 'map', items: [] }, name);

    const error = await errorOf(
      sfn().send(
        new StartExecutionCommand({
          stateMachineArn: fixture.resource('FanOutAndMapMachine'),
          name,
          input: JSON.stringify({ mode: 'map', items: [] }),
        }),
      ),
    );

    expect(error.name).to.equal('ExecutionAlreadyExists');
  });

  it('refuses a JSONata definition at start-up (warning) and at StartExecution, saying why', async () => {
    const error = await errorOf(
      sfn().send(new StartExecutionCommand({ stateMachineArn: fixture.resource('JsonataRefusedMachine') })),
    );

    expect(error.name).to.equal('InvalidDefinition');
    expect(error.message).to.include('JSONata');
    expect(
      fixture.cloud.description.warnings.some((warning) =>
        /local-fixture-local-jsonata-refused.*JSONata/.test(warning),
      ),
    ).to.equal(true);
  });

  // https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
  it('runs a distributed Map of the template: items from a JSON-lines object, each doubled by the function, results in S3', async () => {
    const Bucket = fixture.resource('FixtureBucket');
    const key = `sfn-items/${uniqueId('values')}.jsonl`;
    const read = async (Key: string) => {
      const { Body } = await fixture.aws.s3.send(new GetObjectCommand({ Bucket, Key }));
      return JSON.parse((await Body?.transformToString()) ?? 'null');
    };
    await fixture.aws.s3.send(
      new PutObjectCommand({ Bucket, Key: key, Body: '{"value":1}\n{"value":2}\n{"value":3}\n' }),
    );

    const execution = await run('DistributedFromS3Machine', { key });

    expect(execution.status).to.equal('SUCCEEDED');
    const { ResultWriterDetails } = JSON.parse(execution.output as string);
    expect(ResultWriterDetails.Bucket).to.equal(Bucket);
    const manifest = await read(ResultWriterDetails.Key);
    const succeeded: { Output: string }[] = await read(manifest.ResultFiles.SUCCEEDED[0].Key);
    expect(succeeded.map((child) => JSON.parse(child.Output).value).sort()).to.deep.equal([2, 4, 6]);
  });
});
