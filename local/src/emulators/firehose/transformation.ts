/**
 * The data-transformation contract between Firehose and its Lambda processor: the event it sends
 * and what it accepts back. Every record id must come back once, with a result of Ok, Dropped or
 * ProcessingFailed (and base64 data for Ok); anything else fails the whole invocation, which Firehose
 * retries and then sends, every record of it, to the error prefix.
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-status-model.html
 * https://docs.aws.amazon.com/firehose/latest/dev/monitoring-with-cloudwatch-logs.html#lambda-invocation-errors
 */
import { type InvokeResult, MAX_PAYLOAD_BYTES } from '../../lambda/invoker';

export interface SourceRecord {
  recordId: string;
  arrival: number;
  data: Buffer;
}

export type RecordResult =
  | { result: 'Ok'; data: Buffer; partitionKeys?: Record<string, string> }
  | { result: 'Dropped' }
  | { result: 'ProcessingFailed' };

export type InvocationOutcome =
  | { ok: true; results: Map<string, RecordResult> }
  | { ok: false; errorCode: string; errorMessage: string };

/** Lambda's synchronous payload limit, which the response must stay within. */
export const MAX_RESPONSE_BYTES = MAX_PAYLOAD_BYTES;

/** The invocation event, with the fields of AWS's sample (kinesis-kinesis-firehose.json). */
export function transformationEvent(
  records: readonly SourceRecord[],
  stream: { arn: string; region: string },
  invocationId: string,
) {
  return {
    invocationId,
    deliveryStreamArn: stream.arn,
    region: stream.region,
    records: records.map((record) => ({
      recordId: record.recordId,
      approximateArrivalTimestamp: record.arrival,
      data: record.data.toString('base64'),
    })),
  };
}

const fail = (errorCode: string, errorMessage: string): InvocationOutcome => ({
  ok: false,
  errorCode,
  errorMessage,
});

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Reads the function's answer to an invocation of `records`. */
export function invocationOutcome(
  records: readonly SourceRecord[],
  invocation: InvokeResult,
): InvocationOutcome {
  if (invocation.functionError !== undefined)
    return fail(
      'Lambda.FunctionError',
      'The Lambda function was successfully invoked but it returned an error result.',
    );
  if ((invocation.payloadBytes ?? 0) > MAX_RESPONSE_BYTES)
    return fail(
      'Lambda.FunctionError',
      `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`,
    );
  const returned = (invocation.payload as { records?: unknown } | undefined)?.records;
  if (!Array.isArray(returned))
    return fail('Lambda.JsonProcessingException', 'The response has no records array.');
  const expected = new Set(records.map((record) => record.recordId));
  const results = new Map<string, RecordResult>();
  for (const entry of returned as Record<string, unknown>[]) {
    const recordId = entry?.recordId;
    if (typeof recordId !== 'string' || !expected.has(recordId))
      return fail(
        'Lambda.JsonProcessingException',
        `Record ID ${String(recordId)} was not part of the invocation.`,
      );
    if (results.has(recordId))
      return fail(
        'Lambda.DuplicatedRecordId',
        'Multiple records were returned with the same record ID. Ensure that the Lambda function returns unique record IDs for each record.',
      );
    const result = readRecordResult(entry);
    if (typeof result === 'string') return fail('Lambda.JsonProcessingException', result);
    results.set(recordId, result);
  }
  if (results.size < expected.size)
    return fail(
      'Lambda.MissingRecordId',
      'One or more record IDs were not returned. Ensure that the Lambda function returns all received record IDs.',
    );
  return { ok: true, results };
}

function readRecordResult(entry: Record<string, unknown>): RecordResult | string {
  switch (entry.result) {
    case 'Dropped':
      return { result: 'Dropped' };
    case 'ProcessingFailed':
      return { result: 'ProcessingFailed' };
    case 'Ok': {
      if (typeof entry.data !== 'string' || !BASE64.test(entry.data))
        return `Record ${String(entry.recordId)} is Ok but its data is not base64.`;
      const keys = (entry.metadata as { partitionKeys?: unknown } | undefined)?.partitionKeys;
      if (keys !== undefined && !isStringMap(keys))
        return `Record ${String(entry.recordId)} has partition keys that are not strings.`;
      return {
        result: 'Ok',
        data: Buffer.from(entry.data, 'base64'),
        ...(keys ? { partitionKeys: keys } : {}),
      };
    }
    default:
      return `Record ${String(entry.recordId)} has result ${JSON.stringify(entry.result)}, not Ok, Dropped or ProcessingFailed.`;
  }
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}

/**
 * A record that failed, as Firehose writes it under the error prefix: one JSON document per line.
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html
 */
export interface ProcessingFailedRecord {
  attemptsMade: number;
  arrivalTimestamp: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingTimestamp: number;
  rawData: string;
  lambdaArn: string;
}

/** The ProcessingFailed result of one record: its own error, after one attempt. */
export const PROCESSING_FAILED_STATUS = {
  errorCode: 'Lambda.ProcessingFailedStatus',
  errorMessage: 'ProcessingFailed status set for record',
} as const;

/** Dynamic partitioning: an Ok record without a key its prefix uses cannot be placed. */
export const MISSING_PARTITION_KEY = {
  errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
} as const;
