import type { FailureDestination, InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';
import type { QueueMessage, QueueReader } from '../../../src/triggers/event-source-mapping/queue-consumer';
import type { Clock, EngineLogger, Sleep } from '../../../src/triggers/event-source-mapping/scheduling';
import type { EventSourceMappingSettings } from '../../../src/triggers/event-source-mapping/settings';
import {
  createShardConsumer,
  type ShardConsumer,
  type ShardConsumerOptions,
  type ShardPosition,
  type ShardReader,
  type ShardReadResult,
  type StreamRecord,
} from '../../../src/triggers/event-source-mapping/stream-consumer';

export const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/telemetry';
export const TABLE_STREAM_ARN =
  'arn:aws:dynamodb:us-east-1:123456789012:table/catalog/stream/2024-01-01T00:00:00.000';
export const QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:jobs';
export const FUNCTION_NAME = 'serverless-patterns-clickstream-local-aggregate';
export const FUNCTION_ARN = `arn:aws:lambda:us-east-1:123456789012:function:${FUNCTION_NAME}`;
export const DLQ_ARN = 'arn:aws:sqs:us-east-1:123456789012:aggregate-failures';
export const SHARD_ID = 'shardId-000000000000';
/** A minute boundary, so that tumbling windows of 60 s start on it. */
export const T0 = 1_700_000_040_000;

/** Time moves only when the code under test sleeps (or a test advances it). */
export class FakeClock implements Clock {
  private time: number;
  readonly sleeps: number[] = [];

  constructor(start = T0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  // Yields to the event loop so that a started consumer cannot starve the test.
  readonly sleep: Sleep = async (ms) => {
    this.sleeps.push(ms);
    this.time += ms;
    await new Promise((resolve) => setImmediate(resolve));
  };
}

/** Kinesis-like records: a 56-digit sequence number, a partition key and a body naming the record. */
export function kinesisRecord(
  index: number,
  options: { partitionKey?: string; arrival?: number; data?: unknown } = {},
): StreamRecord {
  const sequenceNumber = sequenceOf(index);
  const partitionKey = options.partitionKey ?? 'device-1';
  const approximateArrivalTimestamp = options.arrival ?? T0;
  return {
    sequenceNumber,
    partitionKey,
    approximateArrivalTimestamp,
    body: {
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey,
        sequenceNumber,
        data: Buffer.from(JSON.stringify(options.data ?? { index })).toString('base64'),
        approximateArrivalTimestamp: approximateArrivalTimestamp / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `${SHARD_ID}:${sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/local',
      awsRegion: 'us-east-1',
      eventSourceARN: STREAM_ARN,
    },
  };
}

export function sequenceOf(index: number): string {
  // Beyond Number.MAX_SAFE_INTEGER on purpose: sequence numbers must be compared as BigInt.
  return (
    49_590_338_271_490_256_608_559_692_538_361_571_095_921_575_989_136_588_800n + BigInt(index)
  ).toString();
}

/** The index a test gave a record, read back from an event record. */
export function indexOf(body: unknown): number {
  const record = body as { kinesis: { data: string } };
  return (JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString()) as { index: number }).index;
}

/** A shard whose records become readable once the clock reaches their arrival time. */
export class FakeShard implements ShardReader {
  readonly records: StreamRecord[] = [];
  readonly reads: { position: ShardPosition; limit: number }[] = [];
  ended = false;

  constructor(private readonly clock: Clock) {}

  put(...records: StreamRecord[]): void {
    this.records.push(...records);
  }

  async read(position: ShardPosition, limit: number): Promise<ShardReadResult> {
    this.reads.push({ position, limit });
    const visible = this.records.filter((record) => record.approximateArrivalTimestamp <= this.clock.now());
    const from =
      position.type === 'AFTER_SEQUENCE_NUMBER'
        ? visible.filter((record) => BigInt(record.sequenceNumber) > BigInt(position.sequenceNumber))
        : visible;
    const records = from.slice(0, limit);
    return { records, shardEnded: this.ended && records.length === from.length };
  }
}

export interface Invocation {
  payload: EventPayload;
  indexes: number[];
}

export interface EventPayload {
  Records: unknown[];
  [field: string]: unknown;
}

type Handler = (event: EventPayload, call: number) => InvokeResult | Promise<InvokeResult>;

/** Records each invocation and answers with `handler` (by default: success with no payload). */
export class RecordingInvoker implements LambdaInvoker {
  readonly invocations: Invocation[] = [];

  constructor(private readonly handler: Handler = () => ({ payload: undefined })) {}

  async invoke(functionName: string, payload: unknown): Promise<InvokeResult> {
    if (functionName !== FUNCTION_NAME) throw new Error(`unexpected function ${functionName}`);
    const event = payload as EventPayload;
    this.invocations.push({ payload: event, indexes: event.Records.map(indexOf) });
    return this.handler(event, this.invocations.length);
  }

  /** The indexes of the records of every invocation, in order. */
  get batches(): number[][] {
    return this.invocations.map((invocation) => invocation.indexes);
  }
}

export class FakeDestination implements FailureDestination {
  readonly sent: { destinationArn: string; message: unknown }[] = [];

  async send(destinationArn: string, message: unknown): Promise<void> {
    this.sent.push({ destinationArn, message });
  }
}

export class CapturingLogger implements EngineLogger {
  readonly entries: { level: string; message: string; details?: Record<string, unknown> }[] = [];

  info(message: string, details?: Record<string, unknown>): void {
    this.entries.push({ level: 'info', message, ...(details === undefined ? {} : { details }) });
  }

  warn(message: string, details?: Record<string, unknown>): void {
    this.entries.push({ level: 'warn', message, ...(details === undefined ? {} : { details }) });
  }

  error(message: string, details?: Record<string, unknown>): void {
    this.entries.push({ level: 'error', message, ...(details === undefined ? {} : { details }) });
  }
}

/** An SQS queue with visibility timeouts, enough to see what the consumer deletes and leaves. */
export class FakeQueue implements QueueReader {
  readonly deleted: string[] = [];
  readonly receives: { maxMessages: number; waitSeconds: number }[] = [];
  readonly visibilityChanges: { receiptHandles: readonly string[]; seconds: number }[] = [];
  private readonly messages: { message: QueueMessage; visibleAt: number; receives: number }[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly visibilityTimeoutSeconds = 30,
  ) {}

  send(id: string, body: string, availableAt = this.clock.now()): void {
    this.messages.push({
      message: {
        messageId: id,
        receiptHandle: `handle-${id}`,
        body,
        attributes: {
          ApproximateReceiveCount: '0',
          SentTimestamp: String(availableAt),
          SenderId: '123456789012',
          ApproximateFirstReceiveTimestamp: String(availableAt),
        },
        messageAttributes: {},
        md5OfBody: 'md5',
      },
      visibleAt: availableAt,
      receives: 0,
    });
  }

  async receive(maxMessages: number, waitSeconds: number): Promise<QueueMessage[]> {
    this.receives.push({ maxMessages, waitSeconds });
    const now = this.clock.now();
    const visible = this.messages.filter((entry) => entry.visibleAt <= now).slice(0, maxMessages);
    return visible.map((entry) => {
      entry.receives += 1;
      entry.visibleAt = now + this.visibilityTimeoutSeconds * 1000;
      return {
        ...entry.message,
        attributes: { ...entry.message.attributes, ApproximateReceiveCount: String(entry.receives) },
      };
    });
  }

  async delete(receiptHandles: readonly string[]): Promise<void> {
    for (const handle of receiptHandles) {
      const index = this.messages.findIndex((entry) => entry.message.receiptHandle === handle);
      const [entry] = index === -1 ? [] : this.messages.splice(index, 1);
      if (entry !== undefined) this.deleted.push(entry.message.messageId);
    }
  }

  async changeVisibility(receiptHandles: readonly string[], seconds: number): Promise<void> {
    this.visibilityChanges.push({ receiptHandles, seconds });
  }

  /** Ids still on the queue, visible or in flight. */
  get remaining(): string[] {
    return this.messages.map((entry) => entry.message.messageId);
  }
}

/** A promise and the functions that settle it, for invocations that a test finishes when it wants. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

/** Lets pending promise callbacks run. */
export async function flush(): Promise<void> {
  for (let turn = 0; turn < 10; turn += 1) await Promise.resolve();
}

/** A consumer of the test function's shard, on `clock` (a new FakeClock by default); `options` add to or override it. */
export function fakeShardConsumer(
  options: {
    settings: EventSourceMappingSettings;
    reader: ShardReader;
    invoker: LambdaInvoker;
    clock?: FakeClock;
  } & Partial<ShardConsumerOptions>,
): ShardConsumer {
  const clock = options.clock ?? new FakeClock();
  return createShardConsumer({
    functionName: FUNCTION_NAME,
    functionArn: FUNCTION_ARN,
    eventSourceArn: STREAM_ARN,
    shardId: SHARD_ID,
    sleep: clock.sleep,
    logger: new CapturingLogger(),
    ...options,
    clock,
  });
}

/**
 * Starts a consumer, asks it to stop while its first invocation is under way, then lets the
 * function answer (`respond`): whether stop() had resolved before that answer.
 */
export async function stopDuringInvocation(
  consumer: { start(): void; stop(): Promise<void> },
  invoked: () => boolean,
  respond: () => void,
): Promise<{ stoppedBeforeResponse: boolean }> {
  consumer.start();
  while (!invoked()) await new Promise((done) => setImmediate(done));
  let stopped = false;
  const stopping = consumer.stop().then(() => {
    stopped = true;
  });
  await flush();
  const stoppedBeforeResponse = stopped;
  respond();
  await stopping;
  return { stoppedBeforeResponse };
}
