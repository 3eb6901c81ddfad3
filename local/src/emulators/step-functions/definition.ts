import { functionNameOf } from '../../lambda/function-arn';
/**
 * Reading and preparing Amazon States Language definitions: pure functions, no I/O.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
 */

export interface AslState {
  Type: string;
  QueryLanguage?: string;
  Resource?: string;
  Retry?: AslRetrier[];
  TimeoutSeconds?: number;
  TimeoutSecondsPath?: string;
  Branches?: AslDefinition[];
  ItemProcessor?: AslDefinition & { ProcessorConfig?: { Mode?: string; ExecutionType?: string } };
  Iterator?: AslDefinition;
  [field: string]: unknown;
}

export interface AslRetrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  QueryLanguage?: string;
  TimeoutSeconds?: number;
  [field: string]: unknown;
}

/** Visits every state, those inside Parallel branches and Map item processors included. */
export function forEachState(
  definition: AslDefinition,
  visit: (name: string, state: AslState) => void,
): void {
  for (const [name, state] of Object.entries(definition.States ?? {})) {
    visit(name, state);
    for (const branch of state.Branches ?? []) forEachState(branch, visit);
    const processor = state.ItemProcessor ?? state.Iterator;
    if (processor !== undefined) forEachState(processor, visit);
  }
}

/** A Map state in distributed mode: its iterations are child executions of a Map Run. */
export function isDistributedMap(state: AslState): boolean {
  return state.Type === 'Map' && state.ItemProcessor?.ProcessorConfig?.Mode === 'DISTRIBUTED';
}

/** The item sources and result writers the local distributed Map runs (S3 through the local S3). */
const READERS: Record<string, readonly (string | undefined)[]> = {
  'arn:aws:states:::s3:listObjectsV2': [undefined],
  'arn:aws:states:::s3:getObject': ['JSON', 'JSONL', 'CSV'],
};
const READER_CONFIG = [
  'InputType',
  'CSVHeaderLocation',
  'CSVHeaders',
  'CSVDelimiter',
  'MaxItems',
  'MaxItemsPath',
];
const RESULT_WRITER = 'arn:aws:states:::s3:putObject';

/**
 * Why the local cloud cannot run a definition as AWS would, or undefined when it can. JSONata
 * (QueryLanguage, at the top or on any state) is refused rather than silently read as JSONPath;
 * so are the distributed Map's item sources and result options that are not emulated.
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 */
export function unsupportedFeatures(definition: AslDefinition): string[] {
  const reasons: string[] = [];
  if (definition.QueryLanguage === 'JSONata') reasons.push('QueryLanguage JSONata (top level)');
  forEachState(definition, (name, state) => {
    if (state.QueryLanguage === 'JSONata') reasons.push(`QueryLanguage JSONata (state ${name})`);
    if (!isDistributedMap(state)) return;
    const reader = state.ItemReader as
      | { Resource?: string; ReaderConfig?: { InputType?: string } }
      | undefined;
    if (reader !== undefined) {
      const unknownFields = Object.keys(reader.ReaderConfig ?? {}).filter(
        (field) => !READER_CONFIG.includes(field),
      );
      if (unknownFields.length > 0)
        reasons.push(`ItemReader ReaderConfig ${unknownFields.join(', ')} (state ${name})`);
      const inputTypes = READERS[reader.Resource ?? ''];
      const inputType = reader.ReaderConfig?.InputType;
      if (inputTypes === undefined || !inputTypes.includes(inputType))
        reasons.push(
          `ItemReader ${reader.Resource}${inputType ? ` (${inputType})` : ''} (state ${name}; S3 listings and JSON, JSONL or CSV objects are)`,
        );
    }
    const writer = state.ResultWriter as { Resource?: string; WriterConfig?: unknown } | undefined;
    if (writer !== undefined && (writer.Resource !== RESULT_WRITER || writer.WriterConfig !== undefined))
      reasons.push(`ResultWriter other than ${RESULT_WRITER} without WriterConfig (state ${name})`);
  });
  return reasons;
}

/** A Task's Resource, as the local cloud runs it. */
export type TaskResource =
  /** arn:aws:states:::lambda:invoke: Parameters give FunctionName and Payload; the output wraps the result. */
  | { kind: 'lambda-invoke' }
  /** A function ARN: the state input is the payload, the function's result is the output. */
  | { kind: 'lambda-function'; functionName: string }
  | { kind: 'unsupported'; resource: string };

const LAMBDA_INVOKE = /^arn:aws[\w-]*:states:::lambda:invoke$/;

export function taskResource(resource: string): TaskResource {
  if (LAMBDA_INVOKE.test(resource)) return { kind: 'lambda-invoke' };
  const functionName = functionNameOf(resource);
  if (resource.startsWith('arn:') && functionName !== undefined)
    return { kind: 'lambda-function', functionName };
  return { kind: 'unsupported', resource };
}

/**
 * Node's timers hold at most 2^31-1 ms. A Task without TimeoutSeconds has no timeout in AWS
 * (99999999 s); aws-local-stepfunctions would otherwise stop it after 60 s.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
 */
export const LONGEST_TASK_TIMEOUT_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

/** AWS's retrier defaults: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html#error-handling-retrying-after-an-error */
const DEFAULT_INTERVAL_SECONDS = 1;

/** What stands for a distributed Map in the copy the library runs (a Task run by a local handler). */
export const DISTRIBUTED_MAP_RESOURCE = 'arn:aws:states:::local:distributedMap';

/** The fields a distributed Map shares with a Task: what the library still applies around the Map Run. */
const KEPT_AROUND_MAP_RUN = [
  'Comment',
  'InputPath',
  'ResultSelector',
  'ResultPath',
  'OutputPath',
  'Retry',
  'Catch',
  'Next',
  'End',
];

/**
 * The copy of a definition that aws-local-stepfunctions runs: Retry intervals (and their
 * MaxDelaySeconds cap) multiplied by `retryDelayScale`, so that backoff keeps its shape at any
 * scale (the library's retryIntervalOverrides give one fixed pause per retrier, losing backoff);
 * Tasks without a timeout given the longest one a timer allows; and each distributed Map turned
 * into a Task of the same name, whose local handler runs the Map Run (the library runs inline Maps
 * only), so that InputPath, ResultSelector, ResultPath, OutputPath, Retry and Catch stay the
 * library's. The original is untouched.
 */
export function runnableDefinition(definition: AslDefinition, retryDelayScale = 1): AslDefinition {
  const copy = structuredClone(definition);
  forEachState(copy, (_name, state) => {
    if (isDistributedMap(state)) {
      for (const field of Object.keys(state))
        if (!KEPT_AROUND_MAP_RUN.includes(field)) delete (state as Record<string, unknown>)[field];
      Object.assign(state, { Type: 'Task', Resource: DISTRIBUTED_MAP_RESOURCE });
    }
    if (state.Type === 'Task' && state.TimeoutSeconds === undefined && state.TimeoutSecondsPath === undefined)
      state.TimeoutSeconds = LONGEST_TASK_TIMEOUT_SECONDS;
    if (retryDelayScale === 1) return;
    for (const retrier of state.Retry ?? []) {
      retrier.IntervalSeconds = (retrier.IntervalSeconds ?? DEFAULT_INTERVAL_SECONDS) * retryDelayScale;
      if (retrier.MaxDelaySeconds !== undefined) retrier.MaxDelaySeconds *= retryDelayScale;
    }
  });
  return copy;
}
