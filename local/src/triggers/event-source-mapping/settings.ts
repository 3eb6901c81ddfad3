/**
 * The settings of an `AWS::Lambda::EventSourceMapping`, read from its resolved CloudFormation Properties
 * with the defaults and limits AWS applies.
 * https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 */
import * as z from 'zod';
import { InvalidEventSourceMappingError, type SettingsIssue } from './errors';

export type EventSourceKind = 'kinesis' | 'dynamodb' | 'sqs';

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

export interface EventSourceMappingSettings {
  sourceKind: EventSourceKind;
  eventSourceArn?: string;
  functionName?: string;
  /** When false, Lambda pauses polling and invocation. */
  enabled: boolean;
  batchSize: number;
  maximumBatchingWindowInSeconds: number;
  /** Streams only. */
  startingPosition?: StartingPosition;
  /** With AT_TIMESTAMP: Unix time in seconds. */
  startingPositionTimestamp?: number;
  reportBatchItemFailures: boolean;
  bisectBatchOnFunctionError: boolean;
  /** -1: retried until the record expires. */
  maximumRetryAttempts: number;
  /** -1: records are never discarded for their age. */
  maximumRecordAgeInSeconds: number;
  /** SQS queue or SNS topic ARN that receives the metadata of discarded stream batches. */
  onFailureDestination?: string;
  /** The parsed Pattern of each filter; a record is delivered when it matches at least one (none: all match). */
  filterPatterns: Record<string, unknown>[];
  parallelizationFactor: number;
  /** 0: no tumbling window. */
  tumblingWindowInSeconds: number;
}

const STREAM_DEFAULT_BATCH_SIZE = 100;
const SQS_DEFAULT_BATCH_SIZE = 10;
const SQS_FIFO_MAX_BATCH_SIZE = 10;
const MINIMUM_RECORD_AGE_SECONDS = 60;
/** Properties that CreateEventSourceMapping accepts for Kinesis and DynamoDB streams only. */
const STREAM_ONLY_PROPERTIES = [
  'StartingPosition',
  'StartingPositionTimestamp',
  'BisectBatchOnFunctionError',
  'MaximumRetryAttempts',
  'MaximumRecordAgeInSeconds',
  'DestinationConfig',
  'ParallelizationFactor',
  'TumblingWindowInSeconds',
] as const;

const describe = (value: unknown): string => JSON.stringify(value) ?? String(value);

// CloudFormation accepts numbers and booleans written as strings, and templates built with Fn::Sub or
// parameters often carry them that way.
const fromNumericString = (value: unknown): unknown =>
  typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
const fromBooleanString = (value: unknown): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

function integer(min: number, max: number) {
  const expected = `must be an integer from ${min} to ${max}`;
  const error = (issue: { input?: unknown }) => `${expected} (got ${describe(issue.input)})`;
  return z.preprocess(
    fromNumericString,
    z.number({ error }).int({ error }).min(min, { error }).max(max, { error }),
  );
}

const boolean = z.preprocess(
  fromBooleanString,
  z.boolean({ error: (issue) => `must be true or false (got ${describe(issue.input)})` }),
);

const filterPattern = z
  .string({ error: 'must be a string holding a JSON object' })
  .transform((text, context) => {
    try {
      const pattern: unknown = JSON.parse(text);
      if (isPlainObject(pattern)) return pattern;
    } catch {
      // reported below
    }
    context.addIssue({ code: 'custom', message: `must be a JSON object (got ${describe(text)})` });
    return z.NEVER;
  });

const propertiesSchema = z.object(
  {
    EventSourceArn: z.string().optional(),
    FunctionName: z.string().optional(),
    Enabled: boolean.optional(),
    BatchSize: integer(1, 10_000).optional(),
    MaximumBatchingWindowInSeconds: integer(0, 300).optional(),
    StartingPosition: z
      .enum(['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'], {
        error: (issue) => `must be TRIM_HORIZON, LATEST or AT_TIMESTAMP (got ${describe(issue.input)})`,
      })
      .optional(),
    StartingPositionTimestamp: z
      .preprocess(fromNumericString, z.number({ error: 'must be a Unix time in seconds' }).nonnegative())
      .optional(),
    FunctionResponseTypes: z
      .array(
        z.literal('ReportBatchItemFailures', {
          error: (issue) =>
            `the only response type is ReportBatchItemFailures (got ${describe(issue.input)})`,
        }),
      )
      .max(1, { error: 'holds at most one item' })
      .optional(),
    BisectBatchOnFunctionError: boolean.optional(),
    MaximumRetryAttempts: integer(-1, 10_000).optional(),
    MaximumRecordAgeInSeconds: integer(-1, 604_800).optional(),
    DestinationConfig: z
      .object({
        OnFailure: z.object({ Destination: z.string({ error: 'must be an ARN' }) }).optional(),
        OnSuccess: z.object({ Destination: z.string({ error: 'must be an ARN' }) }).optional(),
      })
      .optional(),
    FilterCriteria: z
      .object({
        // Five filters by default, up to ten with a quota increase.
        // https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
        Filters: z
          .array(z.object({ Pattern: filterPattern }))
          .max(10, { error: 'holds at most 10 filters' })
          .optional(),
      })
      .optional(),
    ParallelizationFactor: integer(1, 10).optional(),
    TumblingWindowInSeconds: integer(0, 900).optional(),
  },
  { error: (issue) => `must be an object (got ${describe(issue.input)})` },
);

type Properties = z.infer<typeof propertiesSchema>;

/**
 * Reads the resolved Properties of an `AWS::Lambda::EventSourceMapping` and fills in AWS's defaults for
 * the kind of source. Throws an InvalidEventSourceMappingError naming every invalid property.
 */
export function parseEventSourceMapping(
  properties: unknown,
  sourceKind: EventSourceKind,
): EventSourceMappingSettings {
  const parsed = propertiesSchema.safeParse(properties ?? {});
  const issues: SettingsIssue[] = parsed.success
    ? crossPropertyIssues(parsed.data, sourceKind)
    : parsed.error.issues.map((issue) => ({
        path: issue.path.join('.') || '(Properties)',
        message: issue.message,
      }));
  if (!parsed.success || issues.length > 0) {
    const summary = issues.map((issue) => `${issue.path} ${issue.message}`).join('; ');
    throw new InvalidEventSourceMappingError(
      `Invalid AWS::Lambda::EventSourceMapping for a ${sourceKind} source: ${summary}`,
      issues,
    );
  }
  return toSettings(parsed.data, sourceKind);
}

function toSettings(properties: Properties, sourceKind: EventSourceKind): EventSourceMappingSettings {
  const settings: EventSourceMappingSettings = {
    sourceKind,
    enabled: properties.Enabled ?? true,
    batchSize:
      properties.BatchSize ?? (sourceKind === 'sqs' ? SQS_DEFAULT_BATCH_SIZE : STREAM_DEFAULT_BATCH_SIZE),
    maximumBatchingWindowInSeconds: properties.MaximumBatchingWindowInSeconds ?? 0,
    reportBatchItemFailures: properties.FunctionResponseTypes?.includes('ReportBatchItemFailures') ?? false,
    bisectBatchOnFunctionError: properties.BisectBatchOnFunctionError ?? false,
    maximumRetryAttempts: properties.MaximumRetryAttempts ?? -1,
    maximumRecordAgeInSeconds: properties.MaximumRecordAgeInSeconds ?? -1,
    filterPatterns: properties.FilterCriteria?.Filters?.map((filter) => filter.Pattern) ?? [],
    parallelizationFactor: properties.ParallelizationFactor ?? 1,
    tumblingWindowInSeconds: properties.TumblingWindowInSeconds ?? 0,
  };
  if (properties.EventSourceArn !== undefined) settings.eventSourceArn = properties.EventSourceArn;
  if (properties.FunctionName !== undefined) settings.functionName = properties.FunctionName;
  if (properties.StartingPosition !== undefined) settings.startingPosition = properties.StartingPosition;
  if (properties.StartingPositionTimestamp !== undefined) {
    settings.startingPositionTimestamp = properties.StartingPositionTimestamp;
  }
  const onFailure = properties.DestinationConfig?.OnFailure?.Destination;
  if (onFailure !== undefined) settings.onFailureDestination = onFailure;
  return settings;
}

function crossPropertyIssues(properties: Properties, sourceKind: EventSourceKind): SettingsIssue[] {
  const issues: SettingsIssue[] = [];
  const add = (path: string, message: string) => issues.push({ path, message });

  if (sourceKind === 'sqs') {
    for (const name of STREAM_ONLY_PROPERTIES) {
      if (properties[name] !== undefined) add(name, 'applies only to Kinesis and DynamoDB stream sources');
    }
    const batchSize = properties.BatchSize ?? SQS_DEFAULT_BATCH_SIZE;
    if (batchSize > 10 && (properties.MaximumBatchingWindowInSeconds ?? 0) < 1) {
      add('MaximumBatchingWindowInSeconds', 'must be at least 1 when BatchSize is above 10');
    }
    if (properties.EventSourceArn?.endsWith('.fifo') && batchSize > SQS_FIFO_MAX_BATCH_SIZE) {
      add('BatchSize', `must be at most ${SQS_FIFO_MAX_BATCH_SIZE} for a FIFO queue (got ${batchSize})`);
    }
    return issues;
  }

  if (properties.StartingPosition === undefined) {
    add('StartingPosition', 'is required for a stream source (TRIM_HORIZON, LATEST or AT_TIMESTAMP)');
  }
  if (properties.StartingPosition === 'AT_TIMESTAMP') {
    if (sourceKind === 'dynamodb') add('StartingPosition', 'AT_TIMESTAMP is supported only for Kinesis');
    if (properties.StartingPositionTimestamp === undefined) {
      add('StartingPositionTimestamp', 'is required with StartingPosition AT_TIMESTAMP');
    }
  } else if (properties.StartingPositionTimestamp !== undefined) {
    add('StartingPositionTimestamp', 'is valid only with StartingPosition AT_TIMESTAMP');
  }
  // -1 (infinite) or 60 and more: the absolute range allows 0-59, the service does not.
  // https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html#lambda-CreateEventSourceMapping-request-MaximumRecordAgeInSeconds
  const maximumAge = properties.MaximumRecordAgeInSeconds;
  if (maximumAge !== undefined && maximumAge !== -1 && maximumAge < MINIMUM_RECORD_AGE_SECONDS) {
    add('MaximumRecordAgeInSeconds', `must be -1 or from 60 to 604800 (got ${maximumAge})`);
  }
  const onFailure = properties.DestinationConfig?.OnFailure?.Destination;
  if (onFailure !== undefined && !/^arn:[\w-]+:(sqs|sns):/.test(onFailure)) {
    add(
      'DestinationConfig.OnFailure.Destination',
      `must be an SQS queue or SNS topic ARN (got ${describe(onFailure)})`,
    );
  }
  return issues;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
