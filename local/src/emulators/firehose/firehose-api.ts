/**
 * Firehose's API, the operations producers and tools call: PutRecord, PutRecordBatch,
 * DescribeDeliveryStream and ListDeliveryStreams, with AWS's limits and error shapes.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 * https://docs.aws.amazon.com/firehose/latest/dev/limits.html
 */
import { AwsJsonError, type AwsJsonOperation } from '../aws-json';
import type { DeliveryPipeline } from './delivery';
import { type DeliveryStreamConfig, describeDeliveryStream } from './delivery-stream-config';
import type { FaultPlan } from './faults';

/** An exception of the Firehose API; the SDK throws the one named by `type`. */
export class FirehoseApiError extends AwsJsonError {
  override readonly name: string = 'FirehoseApiError';
}

export interface RunningStream {
  config: DeliveryStreamConfig;
  pipeline: DeliveryPipeline;
  createdAt: Date;
}

/** 500 records or 4 MiB per call, and 1,000 KiB per record (before base64). */
export const MAX_BATCH_RECORDS = 500;
export const MAX_BATCH_BYTES = 4 * 1024 * 1024;
export const MAX_RECORD_BYTES = 1_000 * 1024;

const NAME = /^[a-zA-Z0-9_.-]{1,64}$/;

export function firehoseOperations(dependencies: {
  streams: () => ReadonlyMap<string, RunningStream>;
  faults: FaultPlan;
  accountId: string;
}): Record<string, AwsJsonOperation> {
  const streamOf = (input: Record<string, unknown>): RunningStream => {
    const name = input.DeliveryStreamName;
    if (typeof name !== 'string' || !NAME.test(name))
      throw validation(
        'deliveryStreamName',
        'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+',
      );
    const stream = dependencies.streams().get(name);
    if (stream === undefined)
      throw new FirehoseApiError(
        'ResourceNotFoundException',
        `Firehose ${name} under account ${dependencies.accountId} not found.`,
      );
    return stream;
  };

  return {
    async PutRecord(input) {
      const stream = streamOf(input);
      const data = recordData((input.Record as { Data?: unknown } | undefined)?.Data, 'record.data');
      if (dependencies.faults.take('PutRecordBatch.record', stream.config.name)) throw slowDown();
      const [recordId] = await stream.pipeline.accept([data]);
      return { RecordId: recordId, Encrypted: stream.config.encryption !== undefined };
    },

    async PutRecordBatch(input) {
      const stream = streamOf(input);
      const records = input.Records;
      if (!Array.isArray(records) || records.length === 0)
        throw validation('records', 'Member must have length greater than or equal to 1');
      if (records.length > MAX_BATCH_RECORDS)
        throw validation('records', `Member must have length less than or equal to ${MAX_BATCH_RECORDS}`);
      const data = records.map((record: { Data?: unknown }, index) =>
        recordData(record?.Data, `records.${index + 1}.member.data`),
      );
      const total = data.reduce((sum, body) => sum + body.length, 0);
      if (total > MAX_BATCH_BYTES)
        throw new FirehoseApiError('InvalidArgumentException', 'Records size exceeds 4 MB limit');
      // Each record succeeds or fails alone: a failed one has an ErrorCode and no RecordId.
      const failed = data.map(() => dependencies.faults.take('PutRecordBatch.record', stream.config.name));
      const accepted = data.filter((_, index) => !failed[index]);
      const recordIds = accepted.length === 0 ? [] : await stream.pipeline.accept(accepted);
      let next = 0;
      const responses = failed.map((isFailed) =>
        isFailed
          ? { ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' }
          : { RecordId: recordIds[next++] },
      );
      return {
        FailedPutCount: data.length - accepted.length,
        Encrypted: stream.config.encryption !== undefined,
        RequestResponses: responses,
      };
    },

    DescribeDeliveryStream(input) {
      const stream = streamOf(input);
      return { DeliveryStreamDescription: describeDeliveryStream(stream.config, stream.createdAt) };
    },

    ListDeliveryStreams(input) {
      const limit = input.Limit === undefined ? 10 : Number(input.Limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw validation('limit', 'Member must have value between 1 and 10000');
      if (input.DeliveryStreamType !== undefined && input.DeliveryStreamType !== 'DirectPut')
        return { DeliveryStreamNames: [], HasMoreDeliveryStreams: false };
      const start =
        typeof input.ExclusiveStartDeliveryStreamName === 'string'
          ? input.ExclusiveStartDeliveryStreamName
          : '';
      const names = [...dependencies.streams().keys()].sort().filter((name) => name > start);
      return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
    },
  };
}

function recordData(value: unknown, path: string): Buffer {
  if (typeof value !== 'string') throw validation(path, 'Member must not be null');
  const data = Buffer.from(value, 'base64');
  if (data.length > MAX_RECORD_BYTES)
    throw validation(path, `Member must have length less than or equal to ${MAX_RECORD_BYTES}`);
  return data;
}

/** AWS's answer to a request outside the API's constraints, before the operation runs. */
function validation(path: string, constraint: string): FirehoseApiError {
  return new FirehoseApiError(
    'ValidationException',
    `1 validation error detected: Value at '${path}' failed to satisfy constraint: ${constraint}`,
  );
}

/** What a throttled stream answers; the SDK retries it by itself. */
function slowDown(): FirehoseApiError {
  return new FirehoseApiError('ServiceUnavailableException', 'Slow down.', { statusCode: 503 });
}
