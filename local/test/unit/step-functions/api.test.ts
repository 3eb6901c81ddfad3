import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { expect } from 'chai';
import { findFreePort, type RunningEmulator } from '../../../src/emulators/emulator';
import type { AslDefinition } from '../../../src/emulators/step-functions/definition';
import {
  type LocalStateMachine,
  startStepFunctions,
} from '../../../src/emulators/step-functions/start-step-functions';
import { functionArnTaskHistory, lambdaInvokeOutputKeys, lambdaInvokeTaskHistory } from '../../aws-samples';
import { functionError, ScriptedInvoker, WORKER, WORKER_ARN } from './fakes';

const ARN_PREFIX = 'arn:aws:states:us-east-1:000000000000:stateMachine:';

function machine(name: string, definition: AslDefinition, refusal?: string): LocalStateMachine {
  return {
    name,
    arn: `${ARN_PREFIX}${name}`,
    roleArn: `arn:aws:iam::000000000000:role/${name}-role`,
    type: 'STANDARD',
    definitionText: JSON.stringify(definition),
    definition,
    ...(refusal ? { refusal } : {}),
    creationDate: new Date('2026-03-10T08:00:00Z'),
  };
}

const invokeTask = (extra: Record<string, unknown> = {}) => ({
  Type: 'Task',
  Resource: 'arn:aws:states:::lambda:invoke',
  Parameters: { FunctionName: WORKER_ARN, 'Payload.$': '$' },
  ...extra,
});

const MACHINES = [
  machine('shapes', {
    StartAt: 'Plain',
    States: {
      Plain: { Type: 'Task', Resource: WORKER_ARN, ResultPath: '$.plain', Next: 'Optimized' },
      Optimized: invokeTask({ End: true }),
    },
  }),
  machine('retry', {
    StartAt: 'Flaky',
    States: {
      Flaky: invokeTask({
        OutputPath: '$.Payload',
        Retry: [
          { ErrorEquals: ['Lambda.ServiceException'], IntervalSeconds: 2, BackoffRate: 2, MaxAttempts: 3 },
          { ErrorEquals: ['States.TaskFailed'], IntervalSeconds: 4, BackoffRate: 3, MaxAttempts: 1 },
        ],
        End: true,
      }),
    },
  }),
  machine('catch', {
    StartAt: 'Risky',
    States: {
      Risky: {
        Type: 'Task',
        Resource: WORKER_ARN,
        Catch: [
          { ErrorEquals: ['NotThisOne'], Next: 'Wrong' },
          { ErrorEquals: ['ValidationError'], ResultPath: '$.error', Next: 'Recovered' },
        ],
        End: true,
      },
      Wrong: { Type: 'Fail', Error: 'WrongCatcher' },
      Recovered: { Type: 'Pass', End: true },
    },
  }),
  machine(
    'jsonata',
    { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
    'the local cloud does not evaluate JSONata',
  ),
];

describe('step functions: the API through @aws-sdk/client-sfn', () => {
  const invoker = new ScriptedInvoker((payload) => ({ payload: { echo: payload } }));
  let emulator: RunningEmulator;
  let sfn: SFNClient;

  before(async () => {
    const stepFunctions = await startStepFunctions({ port: await findFreePort() });
    emulator = stepFunctions;
    stepFunctions.load({
      stateMachines: MACHINES,
      lambda: {
        invoker,
        hasFunction: (name) => name === WORKER,
        region: 'us-east-1',
        accountId: '000000000000',
      },
      // 2 s then 4 s become 100 ms then 200 ms.
      retryDelayScale: 0.05,
    });
    sfn = new SFNClient({
      endpoint: emulator.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local-secret' },
    });
  });

  after(async () => {
    sfn?.destroy();
    await emulator?.stop();
  });

  async function finished(executionArn: string): Promise<DescribeExecutionCommandOutput> {
    for (let tries = 0; tries < 200; tries += 1) {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (described.status !== 'RUNNING') return described;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`${executionArn} still running`);
  }

  async function start(name: string, input: unknown, executionName?: string) {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: `${ARN_PREFIX}${name}`,
        input: JSON.stringify(input),
        ...(executionName ? { name: executionName } : {}),
      }),
    );
    return finished(executionArn as string);
  }

  async function errorOf(
    promise: Promise<unknown>,
  ): Promise<{ name: string; message: string; $metadata?: { httpStatusCode?: number } }> {
    try {
      await promise;
    } catch (error) {
      return error as { name: string; message: string };
    }
    throw new Error('the call succeeded');
  }

  it('runs both Lambda task forms, with AWS output shapes, and records the history', async () => {
    const execution = await start('shapes', { value: 1 }, 'shapes-1');

    expect(execution.status).to.equal('SUCCEEDED');
    expect(execution.executionArn).to.equal(
      'arn:aws:states:us-east-1:000000000000:execution:shapes:shapes-1',
    );
    expect(execution.startDate).to.be.instanceOf(Date);
    const output = JSON.parse(execution.output as string);
    expect(output).to.have.all.keys(...lambdaInvokeOutputKeys);
    expect(output.Payload).to.deep.equal({ echo: { value: 1, plain: { echo: { value: 1 } } } });
    const { events } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: execution.executionArn }),
    );
    expect(events?.map((event) => event.type)).to.deep.equal([
      'ExecutionStarted',
      ...functionArnTaskHistory,
      ...lambdaInvokeTaskHistory,
      'ExecutionSucceeded',
    ]);
    expect(events?.[0]?.executionStartedEventDetails).to.deep.include({
      input: '{"value":1}',
      roleArn: 'arn:aws:iam::000000000000:role/shapes-role',
    });
    expect(events?.[0]?.timestamp).to.be.instanceOf(Date);
  });

  it('retries a Lambda service error with backoff, scaled, then takes a function error to the next retrier', async () => {
    invoker.calls.length = 0;
    invoker.thenAnswer(
      new Error('connect ECONNREFUSED'),
      new Error('connect ECONNREFUSED'),
      functionError('Error', 'transient'),
    );

    const execution = await start('retry', { value: 3 });

    expect(execution.status).to.equal('SUCCEEDED');
    expect(JSON.parse(execution.output as string)).to.deep.equal({ echo: { value: 3 } });
    const gaps = invoker.calls.slice(1).map((call, index) => call.at - (invoker.calls[index]?.at ?? 0));
    expect(gaps).to.have.length(3);
    // 2 s x 0.05, then 4 s x 0.05 (backoff 2), then the second retrier's own 4 s x 0.05.
    expect(gaps[0]).to.be.within(95, 180);
    expect(gaps[1]).to.be.within(195, 280);
    expect(gaps[2]).to.be.within(195, 280);
  });

  it('fails the execution with the error once retries are spent', async () => {
    invoker.thenAnswer(functionError('Error', 'one'), functionError('Error', 'two'));

    const execution = await start('retry', {});

    expect(execution.status).to.equal('FAILED');
    expect(execution.error).to.equal('Error');
    expect(JSON.parse(execution.cause as string)).to.include({ errorType: 'Error', errorMessage: 'two' });
  });

  it('catches a function error by name, with Error and Cause in ResultPath', async () => {
    invoker.thenAnswer(functionError('ValidationError', 'bad value'));

    const execution = await start('catch', { value: -1 });

    expect(execution.status).to.equal('SUCCEEDED');
    const output = JSON.parse(execution.output as string);
    expect(output.value).to.equal(-1);
    expect(output.error.Error).to.equal('ValidationError');
    expect(JSON.parse(output.error.Cause)).to.include({
      errorType: 'ValidationError',
      errorMessage: 'bad value',
    });
  });

  it('accepts the same name and input again while it runs, and refuses other input or a finished execution', async () => {
    let answer: (result: { payload: unknown }) => void = () => undefined;
    invoker.thenAnswer(new Promise((resolve) => (answer = resolve)));
    const request = { stateMachineArn: `${ARN_PREFIX}shapes`, name: 'same-name', input: '{"value":1}' };

    const first = await sfn.send(new StartExecutionCommand(request));
    const again = await sfn.send(new StartExecutionCommand(request));
    const otherInput = await errorOf(
      sfn.send(new StartExecutionCommand({ ...request, input: '{"value":2}' })),
    );
    answer({ payload: {} });
    await finished(first.executionArn as string);
    const afterEnd = await errorOf(sfn.send(new StartExecutionCommand(request)));

    expect(again.executionArn).to.equal(first.executionArn);
    expect(again.startDate?.getTime()).to.equal(first.startDate?.getTime());
    expect(otherInput.name).to.equal('ExecutionAlreadyExists');
    expect(otherInput.$metadata?.httpStatusCode).to.equal(400);
    expect(afterEnd.name).to.equal('ExecutionAlreadyExists');
    const { executions } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: `${ARN_PREFIX}shapes`, statusFilter: 'SUCCEEDED' }),
    );
    expect(executions?.filter((execution) => execution.name === 'same-name')).to.have.length(1);
  });

  it('answers bad requests with the AWS error names', async () => {
    const cases: [Promise<unknown>, string][] = [
      [
        sfn.send(new StartExecutionCommand({ stateMachineArn: `${ARN_PREFIX}shapes`, name: 'has space' })),
        'InvalidName',
      ],
      [
        sfn.send(new StartExecutionCommand({ stateMachineArn: `${ARN_PREFIX}shapes`, name: 'x'.repeat(81) })),
        'InvalidName',
      ],
      [sfn.send(new StartExecutionCommand({ stateMachineArn: 'not-an-arn' })), 'InvalidArn'],
      [
        sfn.send(new StartExecutionCommand({ stateMachineArn: `${ARN_PREFIX}missing` })),
        'StateMachineDoesNotExist',
      ],
      [
        sfn.send(new StartExecutionCommand({ stateMachineArn: `${ARN_PREFIX}shapes`, input: '{not json' })),
        'InvalidExecutionInput',
      ],
      [
        sfn.send(
          new DescribeExecutionCommand({
            executionArn: 'arn:aws:states:us-east-1:000000000000:execution:shapes:nope',
          }),
        ),
        'ExecutionDoesNotExist',
      ],
      [sfn.send(new DescribeExecutionCommand({ executionArn: `${ARN_PREFIX}shapes` })), 'InvalidArn'],
    ];
    for (const [call, expected] of cases) expect((await errorOf(call)).name).to.equal(expected);
  });

  it('refuses to start a state machine the local cloud cannot run, saying why', async () => {
    const error = await errorOf(
      sfn.send(new StartExecutionCommand({ stateMachineArn: `${ARN_PREFIX}jsonata` })),
    );

    expect(error.name).to.equal('InvalidDefinition');
    expect(error.message).to.include('JSONata');
  });

  it('describes and lists the state machines', async () => {
    const described = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: `${ARN_PREFIX}catch` }),
    );
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));

    expect(described).to.deep.include({ name: 'catch', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition as string).StartAt).to.equal('Risky');
    expect(stateMachines?.map((entry) => entry.name)).to.deep.equal(['shapes', 'retry', 'catch', 'jsonata']);
  });
});
