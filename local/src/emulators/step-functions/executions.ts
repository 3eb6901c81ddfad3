import { randomUUID } from 'node:crypto';
import { StateMachine as LocalRunner, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  type AslDefinition,
  forEachState,
  runnableDefinition,
  type TaskResource,
  taskResource,
} from './definition';
import { StepFunctionsApiError } from './errors';
import { createHistory, createHistoryMapper, type HistoryEvent, type LibraryEvent } from './history';
import { type LambdaTaskDependencies, runLambdaTask } from './lambda-tasks';

/** A state machine of a packaged stack, ready to run (or refused, with the reason). */
export interface LocalStateMachine {
  name: string;
  arn: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  /** The definition as deployed (DescribeStateMachine returns it). */
  definitionText: string;
  definition: AslDefinition;
  /** Why the local cloud cannot run it as AWS would; StartExecution answers with it. */
  refusal?: string;
  creationDate: Date;
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  output?: string;
  error?: string;
  cause?: string;
  history: ReturnType<typeof createHistory>;
  abort(): void;
  finished: Promise<void>;
}

export interface StepFunctionsOptions {
  stateMachines: LocalStateMachine[];
  lambda: Omit<LambdaTaskDependencies, 'record'>;
  /** Multiplies Retry intervals (1 = the definition's own). */
  retryDelayScale?: number;
  clock?: () => Date;
}

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#StepFunctions-StartExecution-request-name
const INVALID_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const isControlCharacter = (character: string) => {
  const code = character.codePointAt(0) ?? 0;
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
};
const isValidName = (name: unknown): name is string =>
  typeof name === 'string' &&
  name.length >= 1 &&
  name.length <= 80 &&
  !INVALID_NAME_CHARACTERS.test(name) &&
  ![...name].some(isControlCharacter);
const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:(?:execution|express):([^:]+):([^:]+)$/;

/** The item an ARN names, or the API's errors: InvalidArn for a malformed one, `missing` for an unknown one. */
function found<T>(
  arn: unknown,
  pattern: RegExp,
  items: ReadonlyMap<string, T>,
  missing: string,
  what: string,
): T {
  if (typeof arn !== 'string' || !pattern.test(arn))
    throw new StepFunctionsApiError(
      'InvalidArn',
      `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`,
    );
  const item = items.get(arn);
  if (item === undefined) throw new StepFunctionsApiError(missing, `${what}: '${arn}'`);
  return item;
}

/** Lets the library's event log reach the history before a Task writes its own events. */
const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The Step Functions service: executions of the stacks' state machines, run by
 * aws-local-stepfunctions with Lambda tasks sent to the local functions. Executions live in memory.
 */
export function createStepFunctionsService(options: StepFunctionsOptions) {
  const clock = options.clock ?? (() => new Date());
  const machines = new Map(options.stateMachines.map((machine) => [machine.arn, machine]));
  const runners = new Map<string, { runner: LocalRunner; tasks: [string, TaskResource][] }>();
  const executions = new Map<string, Execution>();

  function runnerFor(machine: LocalStateMachine) {
    let prepared = runners.get(machine.arn);
    if (prepared === undefined) {
      const tasks: [string, TaskResource][] = [];
      forEachState(machine.definition, (name, state) => {
        if (state.Type === 'Task' && typeof state.Resource === 'string')
          tasks.push([name, taskResource(state.Resource)]);
      });
      const definition = runnableDefinition(machine.definition, options.retryDelayScale ?? 1);
      // Validated when the state machine was read, as CreateStateMachine validates in AWS.
      const runner = new LocalRunner(definition as unknown as StateMachineDefinition, {
        validationOptions: { noValidate: true },
      });
      prepared = { runner, tasks };
      runners.set(machine.arn, prepared);
    }
    return prepared;
  }

  function stateMachineOf(arn: unknown): LocalStateMachine {
    return found(
      arn,
      STATE_MACHINE_ARN,
      machines,
      'StateMachineDoesNotExist',
      'State Machine Does Not Exist',
    );
  }

  function executionOf(arn: unknown): Execution {
    return found(arn, EXECUTION_ARN, executions, 'ExecutionDoesNotExist', 'Execution Does Not Exist');
  }

  function run(machine: LocalStateMachine, execution: Execution, input: unknown) {
    const { runner, tasks } = runnerFor(machine);
    const { record } = execution.history;
    const handlers = Object.fromEntries(
      tasks.map(([name, resource]) => [
        name,
        async (taskInput: unknown) => {
          await nextMacrotask();
          return runLambdaTask(resource, taskInput, { ...options.lambda, record });
        },
      ]),
    );
    record({
      type: 'ExecutionStarted',
      executionStartedEventDetails: {
        input: execution.input,
        inputDetails: { truncated: false },
        roleArn: machine.roleArn,
      },
    });
    const started = runner.run(input as never, {
      overrides: { taskResourceLocalHandlers: handlers as never },
      noThrowOnAbort: true,
      // The Context Object: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-contextobject.html
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          RoleArn: machine.roleArn,
          RedriveCount: 0,
        },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
    });
    execution.abort = started.abort;
    const mapper = createHistoryMapper();
    const historyDone = (async () => {
      for await (const event of started.eventLogs) {
        for (const mapped of mapper(event as unknown as LibraryEvent)) record(mapped);
      }
    })();
    const finish = (status: ExecutionStatus, fields: Partial<Execution>) => {
      Object.assign(execution, fields, { status, stopDate: clock() });
    };
    execution.finished = started.result.then(
      async (output) => {
        await historyDone;
        if (execution.status === 'ABORTED') return;
        finish('SUCCEEDED', { output: JSON.stringify(output ?? null) });
      },
      async (error: unknown) => {
        await historyDone;
        const failure = failureOf(error);
        finish(failure.status, {
          error: failure.error,
          ...(failure.cause === undefined ? {} : { cause: failure.cause }),
        });
      },
    );
  }

  return {
    startExecution(request: { stateMachineArn?: unknown; name?: unknown; input?: unknown }) {
      const machine = stateMachineOf(request.stateMachineArn);
      const name = request.name === undefined ? randomUUID() : request.name;
      if (!isValidName(name))
        throw new StepFunctionsApiError('InvalidName', `Invalid Name: '${String(name)}'`);
      const inputText = request.input === undefined ? '{}' : request.input;
      let input: unknown;
      try {
        if (typeof inputText !== 'string') throw new TypeError('input must be a string');
        input = JSON.parse(inputText);
      } catch (error) {
        throw new StepFunctionsApiError(
          'InvalidExecutionInput',
          `Invalid State Machine Execution Input: '${error instanceof Error ? error.message : String(error)}'`,
        );
      }
      if (machine.refusal !== undefined)
        throw new StepFunctionsApiError('InvalidDefinition', machine.refusal);
      const executionArn = `${machine.arn.replace(':stateMachine:', machine.type === 'EXPRESS' ? ':express:' : ':execution:')}:${name}`;
      const existing = executions.get(executionArn);
      if (existing !== undefined) {
        // Same name and input while it runs: idempotent (Standard workflows). Otherwise refused.
        // https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
        if (existing.status === 'RUNNING' && existing.input === inputText)
          return { executionArn, startDate: existing.startDate };
        throw new StepFunctionsApiError(
          'ExecutionAlreadyExists',
          `Execution Already Exists: '${executionArn}'`,
        );
      }
      const execution: Execution = {
        executionArn,
        stateMachineArn: machine.arn,
        name,
        input: inputText,
        status: 'RUNNING',
        startDate: clock(),
        history: createHistory(clock),
        abort: () => undefined,
        finished: Promise.resolve(),
      };
      executions.set(executionArn, execution);
      run(machine, execution, input);
      return { executionArn, startDate: execution.startDate };
    },

    describeExecution(request: { executionArn?: unknown }) {
      const execution = executionOf(request.executionArn);
      return {
        ...summaryOf(execution),
        input: execution.input,
        inputDetails: { included: true },
        ...(execution.output === undefined
          ? {}
          : { output: execution.output, outputDetails: { included: true } }),
        ...(execution.error === undefined ? {} : { error: execution.error }),
        ...(execution.cause === undefined ? {} : { cause: execution.cause }),
        redriveCount: 0,
        redriveStatus: 'NOT_REDRIVABLE',
      };
    },

    listExecutions(request: {
      stateMachineArn?: unknown;
      statusFilter?: unknown;
      maxResults?: unknown;
      nextToken?: unknown;
    }) {
      const machine = stateMachineOf(request.stateMachineArn);
      const matching = [...executions.values()]
        .filter((execution) => execution.stateMachineArn === machine.arn)
        .filter(
          (execution) => request.statusFilter === undefined || execution.status === request.statusFilter,
        )
        // Newest first, as AWS lists them.
        .reverse()
        .map(summaryOf);
      const { items, nextToken } = page(matching, request.maxResults, request.nextToken);
      return { executions: items, ...(nextToken ? { nextToken } : {}) };
    },

    getExecutionHistory(request: {
      executionArn?: unknown;
      maxResults?: unknown;
      nextToken?: unknown;
      reverseOrder?: unknown;
      includeExecutionData?: unknown;
    }) {
      const execution = executionOf(request.executionArn);
      let events: HistoryEvent[] = [...execution.history.events()];
      if (request.reverseOrder === true) events.reverse();
      if (request.includeExecutionData === false) events = events.map(withoutExecutionData);
      const { items, nextToken } = page(events, request.maxResults, request.nextToken);
      return { events: items, ...(nextToken ? { nextToken } : {}) };
    },

    describeStateMachine(request: { stateMachineArn?: unknown }) {
      const machine = stateMachineOf(request.stateMachineArn);
      return {
        stateMachineArn: machine.arn,
        name: machine.name,
        status: 'ACTIVE',
        definition: machine.definitionText,
        roleArn: machine.roleArn,
        type: machine.type,
        creationDate: machine.creationDate,
      };
    },

    listStateMachines(request: { maxResults?: unknown; nextToken?: unknown }) {
      const all = [...machines.values()].map((machine) => ({
        stateMachineArn: machine.arn,
        name: machine.name,
        type: machine.type,
        creationDate: machine.creationDate,
      }));
      const { items, nextToken } = page(all, request.maxResults, request.nextToken);
      return { stateMachines: items, ...(nextToken ? { nextToken } : {}) };
    },

    /** Aborts every running execution and waits until each has ended. */
    async stop(): Promise<void> {
      const running = [...executions.values()].filter((execution) => execution.status === 'RUNNING');
      for (const execution of running) {
        execution.status = 'ABORTED';
        execution.stopDate = clock();
        execution.abort();
      }
      await Promise.all(running.map((execution) => execution.finished));
    },
  };
}

export type StepFunctionsService = ReturnType<typeof createStepFunctionsService>;

/** What ListExecutions says of an execution, and DescribeExecution begins with. */
function summaryOf(execution: Execution) {
  return {
    executionArn: execution.executionArn,
    stateMachineArn: execution.stateMachineArn,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate,
    ...(execution.stopDate ? { stopDate: execution.stopDate } : {}),
  };
}

/** How an execution ended, from what aws-local-stepfunctions rejected with. */
export function failureOf(error: unknown): { status: ExecutionStatus; error: string; cause?: string } {
  const name = error instanceof Error ? error.name : 'States.Runtime';
  if (name === 'ExecutionTimeoutError') return { status: 'TIMED_OUT', error: 'States.Timeout' };
  if (name === 'ExecutionAbortedError') return { status: 'ABORTED', error: 'States.Aborted' };
  // ExecutionError wraps the state's error: its name is the Error, its message the Cause.
  const reason = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (reason instanceof Error) return { status: 'FAILED', error: reason.name, cause: reason.message };
  return { status: 'FAILED', error: 'States.Runtime', cause: String(reason) };
}

function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: HistoryEvent = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (!key.endsWith('EventDetails') || value === null || typeof value !== 'object') continue;
    const {
      input: _input,
      output: _output,
      parameters: _parameters,
      ...rest
    } = value as Record<string, unknown>;
    copy[key] = rest;
  }
  return copy;
}

/** nextToken is the offset of the next page; maxResults 0 or absent means AWS's default of 100. */
function page<T>(items: T[], maxResults: unknown, nextToken: unknown): { items: T[]; nextToken?: string } {
  const size = typeof maxResults === 'number' && maxResults > 0 ? Math.min(maxResults, 1000) : 100;
  const start = typeof nextToken === 'string' ? Number(nextToken) : 0;
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new StepFunctionsApiError('InvalidToken', `Invalid Token: '${String(nextToken)}'`);
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}
