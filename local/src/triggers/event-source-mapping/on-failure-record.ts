/**
 * The document Lambda sends to a stream mapping's on-failure destination when it discards a batch.
 * https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 */
import type { InvokeResult } from '../../lambda/invoker';

export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

export interface StreamBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  approximateArrivalOfFirstRecord: string;
  approximateArrivalOfLastRecord: string;
  batchSize: number;
  streamArn: string;
}

export interface OnFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: FailureCondition;
    approximateInvokeCount: number;
  };
  /** Absent when the records never reached the function (they expired before the first invocation). */
  responseContext?: {
    statusCode: number;
    executedVersion: string;
    functionError?: string;
  };
  version: '1.0';
  timestamp: string;
  KinesisBatchInfo?: StreamBatchInfo;
  DDBStreamBatchInfo?: StreamBatchInfo;
}

export interface OnFailureRecordInput {
  sourceKind: 'kinesis' | 'dynamodb';
  requestId: string;
  functionArn: string;
  condition: FailureCondition;
  approximateInvokeCount: number;
  /** The last response of the function for these records, if it was invoked. */
  lastResponse?: InvokeResult;
  /** Milliseconds since the epoch. */
  timestamp: number;
  shardId: string;
  streamArn: string;
  /** The discarded records, in shard order (at least one). */
  records: readonly { sequenceNumber: string; approximateArrivalTimestamp: number }[];
}

export function buildOnFailureRecord(input: OnFailureRecordInput): OnFailureRecord {
  const first = input.records[0];
  const last = input.records.at(-1);
  if (first === undefined || last === undefined) throw new RangeError('An on-failure record needs a record');
  const batchInfo: StreamBatchInfo = {
    shardId: input.shardId,
    startSequenceNumber: first.sequenceNumber,
    endSequenceNumber: last.sequenceNumber,
    approximateArrivalOfFirstRecord: new Date(first.approximateArrivalTimestamp).toISOString(),
    approximateArrivalOfLastRecord: new Date(last.approximateArrivalTimestamp).toISOString(),
    batchSize: input.records.length,
    streamArn: input.streamArn,
  };
  const record: OnFailureRecord = {
    requestContext: {
      requestId: input.requestId,
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.approximateInvokeCount,
    },
    version: '1.0',
    timestamp: new Date(input.timestamp).toISOString(),
  };
  if (input.lastResponse !== undefined) {
    // A synchronous Invoke answers 200 even when the function failed; the failure is in X-Amz-Function-Error.
    record.responseContext = { statusCode: 200, executedVersion: '$LATEST' };
    if (input.lastResponse.functionError !== undefined) {
      record.responseContext.functionError = input.lastResponse.functionError;
    }
  }
  if (input.sourceKind === 'kinesis') record.KinesisBatchInfo = batchInfo;
  else record.DDBStreamBatchInfo = batchInfo;
  return record;
}
