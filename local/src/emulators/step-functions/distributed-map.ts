import { randomUUID } from 'node:crypto';
import type { AslDefinition, AslState } from './definition';
import type { HistoryEventInput } from './history';
import { batchesOf } from './item-batcher';
import { type ItemSource, type MapRunObjects, type ReaderConfig, readItems } from './item-reader';
import { StatesRuntimeError, TaskFailedError } from './lambda-tasks';
import {
  type ChildInput,
  type ChildOutcome,
  emptyCounts,
  type MapRunCounts,
  runChildren,
  type StartedChild,
} from './map-run';
import { payloadTemplate, referencePath, valueOrPath } from './payload-template';
import { type ChildExecutionRecord, type MapRunResults, writeResults } from './result-writer';

/**
 * The distributed Map of the local Step Functions: what the Task standing in for the Map state runs
 * (definition.ts). Items from ItemsPath or an ItemReader, ItemSelector, ItemBatcher, child
 * executions of a Map Run (MaxConcurrency, bounded by the local Lambda concurrency), tolerated
 * failures, and the output in the state's result or in S3 (ResultWriter).
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 */

/** AWS's ceiling on a Map Run's concurrent child executions (MaxConcurrency 0 or absent). */
export const AWS_MAX_CONCURRENCY = 10_000;

/** A Map Run as DescribeMapRun shows it. */
export interface MapRunRecord {
  mapRunArn: string;
  executionArn: string;
  stateMachineArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  startDate: Date;
  stopDate?: Date;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  itemCounts: MapRunCounts;
  executionCounts: MapRunCounts;
}

/** The child workflow a Map Run starts executions of: the ItemProcessor as a state machine. */
export interface ChildMachine {
  arn: string;
  name: string;
  /** The parent's role: child executions run with the state machine's own role in AWS. */
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  definition: AslDefinition;
}

/** DescribeMapRun's answer. */
export function describedMapRun(run: MapRunRecord) {
  const { stateMachineArn: _childMachine, stopDate, ...fields } = run;
  return { ...fields, ...(stopDate === undefined ? {} : { stopDate }), redriveCount: 0 };
}

/** ListMapRuns' item. */
export function mapRunListItem(run: MapRunRecord) {
  const { executionArn, mapRunArn, stateMachineArn, startDate, stopDate } = run;
  return {
    executionArn,
    mapRunArn,
    stateMachineArn,
    startDate,
    ...(stopDate === undefined ? {} : { stopDate }),
  };
}

/** A child execution once ended, with what the result files say of it. */
export interface StartedChildExecution extends StartedChild {
  record(): ChildExecutionRecord;
}

export interface DistributedMapDependencies {
  objects: MapRunObjects | undefined;
  /** The most child executions run at once locally (the local Lambda concurrency). */
  localConcurrency: number;
  startChild(machine: ChildMachine, mapRunArn: string, input: unknown): StartedChildExecution;
  registerMapRun(record: MapRunRecord): void;
  clock(): Date;
}

export interface ParentExecution {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  roleArn: string;
  /** The Context Object's fields as the parent's states see them. */
  context: Record<string, unknown>;
  /** True once the parent has ended (aborted): the Map Run starts nothing more. */
  stopped(): boolean;
  record(event: HistoryEventInput): void;
}

interface ItemReaderField {
  Resource: string;
  Parameters?: unknown;
  ReaderConfig?: ReaderConfig & { MaxItems?: number; MaxItemsPath?: string };
}

interface ItemBatcherField {
  MaxItemsPerBatch?: number;
  MaxItemsPerBatchPath?: string;
  MaxInputBytesPerBatch?: number;
  MaxInputBytesPerBatchPath?: string;
  BatchInput?: unknown;
}

const asNumber = (value: unknown, field: string): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0)
    throw new StatesRuntimeError(`${field} must be a number >= 0, not ${JSON.stringify(value)}`);
  return value;
};

/** Runs one distributed Map state for one input: its Map Run, start to end. Returns the state's result. */
export async function runDistributedMap(
  stateName: string,
  state: AslState,
  input: unknown,
  parent: ParentExecution,
  dependencies: DistributedMapDependencies,
): Promise<unknown> {
  const context = {
    ...parent.context,
    State: { Name: stateName, EnteredTime: dependencies.clock().toISOString() },
  };
  const number = async (value: unknown, path: unknown, field: string) =>
    asNumber(await valueOrPath(value, path, input, context), field);

  const items = await itemsOf(state, input, context, dependencies.objects);
  const selector = state.ItemSelector ?? state.Parameters;
  const select = selector === undefined ? undefined : payloadTemplate(selector);
  const selected: unknown[] = [];
  for (const [index, item] of items.entries())
    selected.push(
      select === undefined
        ? item
        : await select(input, { ...context, Map: { Item: { Index: index, Value: item } } }),
    );

  let children: ChildInput[] = selected.map((item) => ({ input: item, itemCount: 1 }));
  const batcher = state.ItemBatcher as ItemBatcherField | undefined;
  if (batcher !== undefined) {
    const batches = batchesOf(selected, {
      maxItems: await number(batcher.MaxItemsPerBatch, batcher.MaxItemsPerBatchPath, 'MaxItemsPerBatch'),
      maxBytes: await number(
        batcher.MaxInputBytesPerBatch,
        batcher.MaxInputBytesPerBatchPath,
        'MaxInputBytesPerBatch',
      ),
      batchInput:
        batcher.BatchInput === undefined
          ? undefined
          : await payloadTemplate(batcher.BatchInput)(input, context),
    });
    children = batches.map((batch) => ({ input: batch, itemCount: batch.Items.length }));
  }

  const maxConcurrency =
    (await number(state.MaxConcurrency, state.MaxConcurrencyPath, 'MaxConcurrency')) ?? 0;
  const tolerance = {
    percentage: await number(
      state.ToleratedFailurePercentage,
      state.ToleratedFailurePercentagePath,
      'ToleratedFailurePercentage',
    ),
    count: await number(
      state.ToleratedFailureCount,
      state.ToleratedFailureCountPath,
      'ToleratedFailureCount',
    ),
  };

  const processor = state.ItemProcessor as AslDefinition & { ProcessorConfig?: { ExecutionType?: string } };
  const { ProcessorConfig: config, ...childDefinition } = processor;
  const label = typeof state.Label === 'string' ? state.Label : stateName;
  const childMachineName = `${parent.stateMachineName}/${label}`;
  const machine: ChildMachine = {
    arn: parent.stateMachineArn.replace(/:stateMachine:.*$/, `:stateMachine:${childMachineName}`),
    name: childMachineName,
    roleArn: parent.roleArn,
    type: config?.ExecutionType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    definition: childDefinition,
  };
  const mapRunArn = `${machine.arn.replace(':stateMachine:', ':mapRun:')}:${randomUUID()}`;
  const itemTotal = children.reduce((sum, child) => sum + child.itemCount, 0);
  const run: MapRunRecord = {
    mapRunArn,
    executionArn: parent.executionArn,
    stateMachineArn: machine.arn,
    status: 'RUNNING',
    startDate: dependencies.clock(),
    maxConcurrency,
    toleratedFailurePercentage: tolerance.percentage ?? 0,
    toleratedFailureCount: tolerance.count ?? 0,
    itemCounts: emptyCounts(itemTotal),
    executionCounts: emptyCounts(children.length),
  };
  dependencies.registerMapRun(run);
  parent.record({ type: 'MapRunStarted', mapRunStartedEventDetails: { mapRunArn } });

  const started: StartedChildExecution[] = [];
  const { outcomes, exceeded } = await runChildren({
    children,
    // Bounded by what runs locally at once: more would only queue for a Lambda environment.
    maxConcurrency: Math.min(
      maxConcurrency > 0 ? maxConcurrency : AWS_MAX_CONCURRENCY,
      dependencies.localConcurrency,
    ),
    tolerance,
    startChild: (childInput, index) => {
      const child = dependencies.startChild(machine, mapRunArn, childInput);
      started[index] = child;
      return child;
    },
    stopped: parent.stopped,
    counts: { items: run.itemCounts, executions: run.executionCounts },
  });

  const finish = (status: MapRunRecord['status']) => {
    run.status = status;
    run.stopDate = dependencies.clock();
  };
  if (parent.stopped()) {
    finish('ABORTED');
    return null;
  }
  const writer = state.ResultWriter as { Parameters?: unknown } | undefined;
  let output: unknown = outcomes.map(outputOf);
  try {
    if (writer !== undefined) {
      if (dependencies.objects === undefined) throw noS3('ResultWriter');
      const location = (await payloadTemplate(writer.Parameters ?? {})(input, context)) as {
        Bucket?: unknown;
        Prefix?: unknown;
      };
      if (typeof location.Bucket !== 'string')
        throw new TaskFailedError(
          'States.ResultWriterFailed',
          'ResultWriter Parameters need a Bucket (string)',
        );
      output = await writeResults(
        {
          Bucket: location.Bucket,
          ...(typeof location.Prefix === 'string' ? { Prefix: location.Prefix } : {}),
        },
        resultsOf(mapRunArn, children, outcomes, started),
        dependencies.objects,
      );
      run.itemCounts.resultsWritten = itemTotal - run.itemCounts.pending;
      run.executionCounts.resultsWritten = children.length - run.executionCounts.pending;
    }
  } catch (error) {
    finish('FAILED');
    parent.record(mapRunFailed(error));
    throw error;
  }
  if (exceeded) {
    const error = new TaskFailedError(
      'States.ExceedToleratedFailureThreshold',
      'The specified tolerated failure threshold was exceeded',
    );
    finish('FAILED');
    parent.record(mapRunFailed(error));
    throw error;
  }
  finish('SUCCEEDED');
  parent.record({ type: 'MapRunSucceeded' });
  return output;
}

const noS3 = (field: string) =>
  new StatesRuntimeError(`${field} needs S3, and the local Step Functions has none`);

function mapRunFailed(error: unknown): HistoryEventInput {
  return {
    type: 'MapRunFailed',
    mapRunFailedEventDetails: {
      error: error instanceof Error ? error.name : 'States.Runtime',
      cause: error instanceof Error ? error.message : String(error),
    },
  };
}

/** A child's place in the state's result: its output, or its error when it failed within the tolerance. */
function outputOf(outcome: ChildOutcome | undefined): unknown {
  if (outcome === undefined) return null;
  if (outcome.status === 'SUCCEEDED') return outcome.output ?? null;
  return { Error: outcome.error ?? 'States.Runtime', Cause: outcome.cause ?? '' };
}

function resultsOf(
  mapRunArn: string,
  children: readonly ChildInput[],
  outcomes: readonly (ChildOutcome | undefined)[],
  started: readonly StartedChildExecution[],
): MapRunResults {
  const results: MapRunResults = { mapRunArn, succeeded: [], failed: [], pending: [] };
  for (const [index, outcome] of outcomes.entries()) {
    const child = started[index];
    if (outcome === undefined || child === undefined) {
      results.pending.push({ Input: JSON.stringify(children[index]?.input ?? null) });
      continue;
    }
    (outcome.status === 'SUCCEEDED' ? results.succeeded : results.failed).push(child.record());
  }
  return results;
}

/** The items: from the ItemReader (S3), or the array at ItemsPath (the whole input by default). */
async function itemsOf(
  state: AslState,
  input: unknown,
  context: Record<string, unknown>,
  objects: MapRunObjects | undefined,
): Promise<unknown[]> {
  const reader = state.ItemReader as ItemReaderField | undefined;
  if (reader === undefined) {
    const items = await referencePath(typeof state.ItemsPath === 'string' ? state.ItemsPath : '$')(
      input,
      context,
    );
    if (!Array.isArray(items))
      throw new StatesRuntimeError(`The Map's items (ItemsPath ${state.ItemsPath ?? '$'}) are not an array`);
    return items;
  }
  if (objects === undefined) throw noS3('ItemReader');
  const config = reader.ReaderConfig ?? {};
  const source: ItemSource = {
    resource: reader.Resource,
    parameters: (await payloadTemplate(reader.Parameters ?? {})(input, context)) as ItemSource['parameters'],
    config,
    maxItems: asNumber(await valueOrPath(config.MaxItems, config.MaxItemsPath, input, context), 'MaxItems'),
  };
  return readItems(source, objects);
}
