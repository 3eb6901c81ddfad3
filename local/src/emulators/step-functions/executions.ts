import { randomUUID } from 'node:crypto';
import { StateMachine as LocalRunner, type StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  EXECUTION_ARN,
  found,
  isValidName,
  MAP_RUN_ARN,
  page,
  STATE_MACHINE_ARN,
  withoutExecutionData,
} from './api-fields';
import {
  type AslDefinition,
  type AslState,
  forEachState,
  isDistributedMap,
  runnableDefinition,
  type TaskResource,
  taskResource,
} from './definition';
import {
  type ChildMachine,
  describedMapRun,
  type MapRunRecord,
  mapRunListItem,
  runDistributedMap,
  type StartedChildExecution,
} from './distributed-map';
import { StepFunctionsApiError } from './errors';
import { createHistory, createHistoryMapper, type HistoryEvent, type LibraryEvent } from './history';
import type { MapRunObjects } from './item-reader';
import { type LambdaTaskDependencies, runLambdaTask } from './lambda-tasks';
import { childRecordOf } from './result-writer';

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

/** What an execution runs: a template's state machine, or a distributed Map's child workflow. */
type RunnableMachine = Pick<LocalStateMachine, 'arn' | 'name' | 'roleArn' | 'type' | 'definition'>;

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  /** The Map Run that started it, for a distributed Map's child execution. */
  mapRunArn?: string;
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
  /** S3 for the distributed Map's ItemReader and ResultWriter. */
  objects?: MapRunObjects;
  /** The most child executions a Map Run runs at once (the local Lambda concurrency). */
  localConcurrency?: number;
  clock?: () => Date;
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
  const runners = new Map<
    string,
    { runner: LocalRunner; tasks: [string, TaskResource][]; distributedMaps: [string, AslState][] }
  >();
  const executions = new Map<string, Execution>();
  const mapRuns = new Map<string, MapRunRecord>();

  function runnerFor(machine: RunnableMachine) {
    let prepared = runners.get(machine.arn);
    if (prepared === undefined) {
      const tasks: [string, TaskResource][] = [];
      const distributedMaps: [string, AslState][] = [];
      forEachState(machine.definition, (name, state) => {
        if (state.Type === 'Task' && typeof state.Resource === 'string')
          tasks.push([name, taskResource(state.Resource)]);
        if (isDistributedMap(state)) distributedMaps.push([name, state]);
      });
      const definition = runnableDefinition(machine.definition, options.retryDelayScale ?? 1);
      // Validated when the state machine was read, as CreateStateMachine validates in AWS.
      const runner = new LocalRunner(definition as unknown as StateMachineDefinition, {
        validationOptions: { noValidate: true },
      });
      prepared = { runner, tasks, distributedMaps };
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

  function mapRunOf(arn: unknown): MapRunRecord {
    return found(arn, MAP_RUN_ARN, mapRuns, 'ResourceNotFound', 'Map Run Does Not Exist');
  }

  function run(machine: RunnableMachine, execution: Execution, input: unknown) {
    const { runner, tasks, distributedMaps } = runnerFor(machine);
    const { record } = execution.history;
    const executionContext = {
      Id: execution.executionArn,
      Name: execution.name,
      RoleArn: machine.roleArn,
      RedriveCount: 0,
    };
    const parent = {
      executionArn: execution.executionArn,
      stateMachineArn: machine.arn,
      stateMachineName: machine.name,
      roleArn: machine.roleArn,
      context: {
        Execution: { ...executionContext, Input: input, StartTime: execution.startDate.toISOString() },
        StateMachine: { Id: machine.arn, Name: machine.name },
      },
      stopped: () => execution.status !== 'RUNNING',
      record,
    };
    const handlers = Object.fromEntries([
      ...tasks.map(([name, resource]) => [
        name,
        async (taskInput: unknown) => {
          await nextMacrotask();
          return runLambdaTask(resource, taskInput, { ...options.lambda, record });
        },
      ]),
      ...distributedMaps.map(([name, state]) => [
        name,
        async (mapInput: unknown) => {
          await nextMacrotask();
          return runDistributedMap(name, state, mapInput, parent, {
            objects: options.objects,
            localConcurrency: options.localConcurrency ?? 1,
            startChild,
            registerMapRun: (mapRun) => mapRuns.set(mapRun.mapRunArn, mapRun),
            clock,
          });
        },
      ]),
    ]);
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
      context: { Execution: executionContext, StateMachine: { Id: machine.arn, Name: machine.name } },
    });
    execution.abort = started.abort;
    const mapper = createHistoryMapper(new Set(distributedMaps.map(([name]) => name)));
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

  /** A child execution of a Map Run: registered (DescribeExecution, ListExecutions by Map Run) and started. */
  function startChild(machine: ChildMachine, mapRunArn: string, input: unknown): StartedChildExecution {
    const name = randomUUID();
    const execution = newExecution(
      `${machine.arn.replace(':stateMachine:', machine.type === 'EXPRESS' ? ':express:' : ':execution:')}:${name}`,
      machine.arn,
      name,
      JSON.stringify(input ?? null),
    );
    execution.mapRunArn = mapRunArn;
    executions.set(execution.executionArn, execution);
    run(machine, execution, input);
    return {
      finished: execution.finished.then(() => ({
        status: execution.status === 'RUNNING' ? 'ABORTED' : execution.status,
        ...(execution.output === undefined ? {} : { output: JSON.parse(execution.output) }),
        ...(execution.error === undefined ? {} : { error: execution.error }),
        ...(execution.cause === undefined ? {} : { cause: execution.cause }),
      })),
      abort: () => abortExecution(execution),
      record: () => childRecordOf(execution),
    };
  }

  function newExecution(
    executionArn: string,
    stateMachineArn: string,
    name: string,
    input: string,
  ): Execution {
    return {
      executionArn,
      stateMachineArn,
      name,
      input,
      status: 'RUNNING',
      startDate: clock(),
      history: createHistory(clock),
      abort: () => undefined,
      finished: Promise.resolve(),
    };
  }

  function abortExecution(execution: Execution) {
    if (execution.status !== 'RUNNING') return;
    execution.status = 'ABORTED';
    execution.stopDate = clock();
    execution.abort();
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
      const execution = newExecution(executionArn, machine.arn, name, inputText);
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

    /** A state machine's executions, or (with mapRunArn) the child executions of a Map Run. */
    listExecutions(request: {
      stateMachineArn?: unknown;
      mapRunArn?: unknown;
      statusFilter?: unknown;
      maxResults?: unknown;
      nextToken?: unknown;
    }) {
      if ((request.stateMachineArn === undefined) === (request.mapRunArn === undefined))
        throw new StepFunctionsApiError(
          'ValidationException',
          'Exactly one of stateMachineArn and mapRunArn must be given',
        );
      let belongs: (execution: Execution) => boolean;
      if (request.mapRunArn === undefined) {
        const { arn } = stateMachineOf(request.stateMachineArn);
        belongs = (execution) => execution.stateMachineArn === arn && execution.mapRunArn === undefined;
      } else {
        const { mapRunArn } = mapRunOf(request.mapRunArn);
        belongs = (execution) => execution.mapRunArn === mapRunArn;
      }
      const matching = [...executions.values()]
        .filter(belongs)
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

    /** A Map Run's settings and progress (items and child executions by status). */
    describeMapRun(request: { mapRunArn?: unknown }) {
      return describedMapRun(mapRunOf(request.mapRunArn));
    },

    /** The Map Runs an execution started, newest first. */
    listMapRuns(request: { executionArn?: unknown; maxResults?: unknown; nextToken?: unknown }) {
      const { executionArn } = executionOf(request.executionArn);
      const runs = [...mapRuns.values()].filter((run) => run.executionArn === executionArn).reverse();
      const { items, nextToken } = page(runs.map(mapRunListItem), request.maxResults, request.nextToken);
      return { mapRuns: items, ...(nextToken ? { nextToken } : {}) };
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
      for (const execution of running) abortExecution(execution);
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
    ...(execution.mapRunArn === undefined ? {} : { mapRunArn: execution.mapRunArn }),
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
