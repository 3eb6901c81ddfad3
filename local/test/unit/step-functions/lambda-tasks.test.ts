import { expect } from 'chai';
import type { HistoryEventInput } from '../../../src/emulators/step-functions/history';
import {
  type LambdaTaskDependencies,
  runLambdaTask,
  StatesRuntimeError,
  TaskFailedError,
} from '../../../src/emulators/step-functions/lambda-tasks';
import { functionError, ScriptedInvoker, WORKER, WORKER_ARN } from './fakes';

function setUp(invoker = new ScriptedInvoker()) {
  const events: HistoryEventInput[] = [];
  const dependencies: LambdaTaskDependencies = {
    invoker,
    hasFunction: (name) => name === WORKER,
    region: 'us-east-1',
    accountId: '000000000000',
    record: (event) => events.push(event),
    requestId: () => 'request-1',
    clock: () => new Date('2026-03-10T08:00:00Z'),
  };
  return { invoker, events, dependencies, types: () => events.map((event) => event.type) };
}

async function failureOf(task: Promise<unknown>): Promise<Error> {
  try {
    await task;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the task did not fail');
}

describe('step functions: Lambda tasks', () => {
  it('lambda:invoke sends Payload to the function and wraps its result as AWS does', async () => {
    const { invoker, dependencies, events, types } = setUp(
      new ScriptedInvoker(() => ({ payload: { value: 4 } })),
    );

    const output = await runLambdaTask(
      { kind: 'lambda-invoke' },
      { FunctionName: `${WORKER_ARN}:$LATEST`, Payload: { value: 2 } },
      dependencies,
    );

    expect(invoker.calls.map(({ functionName, payload }) => ({ functionName, payload }))).to.deep.equal([
      { functionName: WORKER, payload: { value: 2 } },
    ]);
    expect(output).to.deep.include({
      ExecutedVersion: '$LATEST',
      Payload: { value: 4 },
      SdkResponseMetadata: { RequestId: 'request-1' },
      StatusCode: 200,
    });
    expect(
      (output as { SdkHttpMetadata: { HttpStatusCode: number } }).SdkHttpMetadata.HttpStatusCode,
    ).to.equal(200);
    expect(types()).to.deep.equal(['TaskScheduled', 'TaskStarted', 'TaskSucceeded']);
    expect(events[0]?.taskScheduledEventDetails).to.deep.equal({
      resourceType: 'lambda',
      resource: 'invoke',
      region: 'us-east-1',
      parameters: JSON.stringify({ FunctionName: `${WORKER_ARN}:$LATEST`, Payload: { value: 2 } }),
    });
  });

  it('a function ARN resource gives the function its input and returns its result unwrapped', async () => {
    const { invoker, dependencies, types } = setUp(new ScriptedInvoker(() => ({ payload: { value: 4 } })));

    const output = await runLambdaTask(
      { kind: 'lambda-function', functionName: WORKER },
      { value: 2 },
      dependencies,
    );

    expect(output).to.deep.equal({ value: 4 });
    expect(invoker.calls[0]?.payload).to.deep.equal({ value: 2 });
    expect(types()).to.deep.equal([
      'LambdaFunctionScheduled',
      'LambdaFunctionStarted',
      'LambdaFunctionSucceeded',
    ]);
  });

  it("a function error fails the Task with Error = the function's errorType and Cause = its error payload", async () => {
    const answer = functionError('ValidationError', 'value must be positive');
    for (const resource of [
      { kind: 'lambda-invoke' as const },
      { kind: 'lambda-function' as const, functionName: WORKER },
    ]) {
      const { dependencies, events } = setUp(new ScriptedInvoker().thenAnswer(answer));

      const error = await failureOf(
        runLambdaTask(resource, { FunctionName: WORKER, Payload: {} }, dependencies),
      );

      expect(error).to.be.instanceOf(TaskFailedError);
      expect(error.name).to.equal('ValidationError');
      expect(JSON.parse(error.message)).to.deep.equal(answer.payload);
      const failed = events.at(-1);
      expect(failed?.type).to.equal(
        resource.kind === 'lambda-invoke' ? 'TaskFailed' : 'LambdaFunctionFailed',
      );
      expect(
        failed?.[
          resource.kind === 'lambda-invoke' ? 'taskFailedEventDetails' : 'lambdaFunctionFailedEventDetails'
        ],
      ).to.deep.include({
        error: 'ValidationError',
        cause: JSON.stringify(answer.payload),
      });
    }
  });

  it('a function that cannot be reached is a Lambda.ServiceException, which Retry may match', async () => {
    const { dependencies } = setUp(
      new ScriptedInvoker().thenAnswer(new Error('connect ECONNREFUSED 127.0.0.1:3002')),
    );

    const error = await failureOf(
      runLambdaTask({ kind: 'lambda-invoke' }, { FunctionName: WORKER }, dependencies),
    );

    expect(error.name).to.equal('Lambda.ServiceException');
    expect(error.message).to.match(/^connect ECONNREFUSED .*Error Code: ServiceException/);
  });

  it('a function no service serves is Lambda.ResourceNotFoundException, without invoking anything', async () => {
    const { invoker, dependencies, types } = setUp();

    const error = await failureOf(
      runLambdaTask({ kind: 'lambda-function', functionName: 'nobody' }, {}, dependencies),
    );

    expect(error.name).to.equal('Lambda.ResourceNotFoundException');
    expect(error.message).to.match(
      /^Function not found: arn:aws:lambda:us-east-1:000000000000:function:nobody/,
    );
    expect(invoker.calls).to.have.length(0);
    expect(types()).to.deep.equal(['LambdaFunctionScheduleFailed']);
  });

  it('a crash without an errorType is Lambda.Unknown', async () => {
    const { dependencies } = setUp(
      new ScriptedInvoker().thenAnswer({
        functionError: 'Unhandled',
        payload: { errorMessage: 'Task timed out' },
      }),
    );

    const error = await failureOf(
      runLambdaTask({ kind: 'lambda-function', functionName: WORKER }, {}, dependencies),
    );

    expect(error.name).to.equal('Lambda.Unknown');
  });

  it('refuses, as States.Runtime that no Retry or Catch can match, a resource other than Lambda', async () => {
    const { dependencies } = setUp();

    const error = await failureOf(
      runLambdaTask({ kind: 'unsupported', resource: 'arn:aws:states:::dynamodb:putItem' }, {}, dependencies),
    );

    expect(error).to.be.instanceOf(StatesRuntimeError);
    expect(error.message).to.include('arn:aws:states:::dynamodb:putItem');
    expect(error as StatesRuntimeError).to.include({ isRetryable: false, isCatchable: false });
  });
});
