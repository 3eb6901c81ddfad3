import {
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  type GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
} from '@aws-sdk/client-dynamodb-streams';
import {
  type KinesisClient,
  ExpiredIteratorException as KinesisExpiredIteratorException,
  type GetRecordsCommand as KinesisGetRecordsCommand,
  GetShardIteratorCommand as KinesisGetShardIteratorCommand,
} from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import type { InvokeResult } from '../../../src/lambda/invoker';
import { dynamodbShardReader, kinesisShardReader } from '../../../src/triggers/event-source-mapping/readers';
import { parseEventSourceMapping } from '../../../src/triggers/event-source-mapping/settings';
import {
  MAX_ITERATOR_FAILURES,
  type ShardConsumer,
  type ShardPosition,
  type ShardReader,
  type ShardReadResult,
  type StreamRecord,
} from '../../../src/triggers/event-source-mapping/stream-consumer';
import {
  CapturingLogger,
  FakeClock,
  fakeShardConsumer,
  kinesisRecord,
  RecordingInvoker,
  SHARD_ID,
  STREAM_ARN,
  sequenceOf,
} from './fakes';

const expired = () => new ExpiredIteratorException({ message: 'Iterator expired', $metadata: {} });
const trimmed = () => new TrimmedDataAccessException({ message: 'Trimmed', $metadata: {} });

/**
 * A shard as DynamoDB Streams and Kinesis serve it: every read hands out a new iterator (an opaque
 * CONTINUATION token); the test can expire the iterators, trim the oldest records or make reads fail.
 */
class IteratorShard implements ShardReader {
  readonly records: StreamRecord[] = [];
  readonly reads: ShardPosition[] = [];
  /** Errors thrown by the next reads, in order. */
  readonly failures: Error[] = [];
  #iterators = new Map<string, { after: bigint; expired: boolean }>();
  /** The iterator the last successful read handed out. */
  lastIssued: string | undefined;
  #issued = 0;
  /** Records below this sequence number are gone. */
  #trimHorizon = 0n;

  put(...records: StreamRecord[]): void {
    this.records.push(...records);
  }

  /** Every iterator handed out so far expires (15 minutes without a read, in AWS). */
  expireIterators(): void {
    for (const iterator of this.#iterators.values()) iterator.expired = true;
  }

  /** Records up to and including `index` are trimmed (past the retention period). */
  trimThrough(index: number): void {
    this.#trimHorizon = BigInt(sequenceOf(index)) + 1n;
  }

  async read(position: ShardPosition, limit: number): Promise<ShardReadResult> {
    this.reads.push(position);
    const failure = this.failures.shift();
    if (failure !== undefined) throw failure;
    const after = this.#start(position);
    if (after + 1n < this.#trimHorizon && this.#hadRecordsBefore(this.#trimHorizon)) throw trimmed();
    const records = this.records
      .filter(
        (record) =>
          BigInt(record.sequenceNumber) > after && BigInt(record.sequenceNumber) >= this.#trimHorizon,
      )
      .slice(0, limit);
    const last = records.at(-1);
    const token = `iterator-${++this.#issued}`;
    this.lastIssued = token;
    this.#iterators.set(token, {
      after: last === undefined ? after : BigInt(last.sequenceNumber),
      expired: false,
    });
    return { records, nextPosition: { type: 'CONTINUATION', token } };
  }

  /** The sequence number the position reads after. */
  #start(position: ShardPosition): bigint {
    switch (position.type) {
      case 'CONTINUATION': {
        const iterator = this.#iterators.get(position.token);
        if (iterator === undefined || iterator.expired) throw expired();
        return iterator.after;
      }
      case 'AFTER_SEQUENCE_NUMBER':
        return BigInt(position.sequenceNumber);
      case 'LATEST':
        return BigInt(this.records.at(-1)?.sequenceNumber ?? '0');
      default:
        return this.#trimHorizon - 1n;
    }
  }

  #hadRecordsBefore(horizon: bigint): boolean {
    return horizon > 0n;
  }
}

function setup(properties: Record<string, unknown> = {}, handler?: (call: number) => InvokeResult) {
  const clock = new FakeClock();
  const shard = new IteratorShard();
  const invoker = new RecordingInvoker(handler ? (_event, call) => handler(call) : undefined);
  const logger = new CapturingLogger();
  const consumer = fakeShardConsumer({
    settings: parseEventSourceMapping(
      { StartingPosition: 'TRIM_HORIZON', BatchSize: 2, ...properties },
      'dynamodb',
    ),
    reader: shard,
    invoker,
    clock,
    logger,
  });
  return { shard, invoker, logger, consumer };
}

/** Polls as the background loop does (errors logged, then the next poll) until a poll does nothing. */
async function drain(consumer: ShardConsumer): Promise<void> {
  let quiet = 0;
  for (let poll = 0; poll < 200; poll += 1) {
    try {
      const result = await consumer.pollOnce();
      quiet = result.invocations === 0 && result.discarded === 0 ? quiet + 1 : 0;
    } catch {
      quiet = 0;
    }
    if (quiet === 2) return;
  }
  throw new Error('the consumer never settled');
}

const records = (...indexes: number[]) => indexes.map((index) => kinesisRecord(index));
const reopenings = (logger: CapturingLogger) =>
  logger.entries.filter(({ message }) => message.includes('re-opening'));

describe('stream readers recover from dead shard iterators', () => {
  it('re-opens an expired iterator after the last record read: nothing lost, nothing delivered twice', async () => {
    // Prepare
    const { shard, invoker, logger, consumer } = setup();
    shard.put(...records(1, 2, 3));
    await drain(consumer);

    // Act: the iterator expires (the shard went unread for 15 minutes), more records arrive
    shard.expireIterators();
    shard.put(...records(4, 5, 6));
    await drain(consumer);

    // Assess
    expect(invoker.batches.flat()).to.deep.equal([1, 2, 3, 4, 5, 6]);
    expect(shard.reads).to.deep.include({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: sequenceOf(3) });
    expect(reopenings(logger)).to.have.length(1);
    expect(reopenings(logger)[0]?.details).to.deep.include({
      error: 'ExpiredIteratorException',
      position: `AFTER_SEQUENCE_NUMBER ${sequenceOf(3)}`,
    });
  });

  it('keeps the records in hand while a failing batch is retried, and re-reads none of them', async () => {
    // Prepare: the function fails twice; meanwhile the iterator expires and more records arrive
    const { shard, invoker, consumer } = setup({ ParallelizationFactor: 1 }, (call) =>
      call <= 2 ? { payload: { errorMessage: 'boom' }, functionError: 'Unhandled' } : { payload: undefined },
    );
    shard.put(...records(1, 2, 3, 4));
    await consumer.pollOnce().catch(() => undefined);
    shard.expireIterators();
    shard.put(...records(5, 6));

    // Act
    await drain(consumer);

    // Assess: the failed batch is retried (at least once), every record arrives, in order, once delivered
    const delivered = invoker.batches.slice(2).flat();
    expect(invoker.batches.slice(0, 2)).to.deep.equal([
      [1, 2],
      [1, 2],
    ]);
    expect(delivered).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('starts again at the StartingPosition when the iterator dies before any record was read', async () => {
    const { shard, invoker, consumer } = setup();
    await drain(consumer);
    shard.expireIterators();
    shard.put(...records(1, 2));

    await drain(consumer);

    expect(invoker.batches.flat()).to.deep.equal([1, 2]);
    expect(shard.reads).to.deep.include({ type: 'TRIM_HORIZON' });
  });

  it('goes on from the oldest record left when the records after the checkpoint were trimmed, and says records may be lost', async () => {
    // Prepare
    const { shard, invoker, logger, consumer } = setup();
    shard.put(...records(1, 2));
    await drain(consumer);

    // Act: records 3 to 5 arrive and are trimmed before the consumer reads them
    shard.put(...records(3, 4, 5, 6, 7));
    shard.trimThrough(5);
    await drain(consumer);

    // Assess
    expect(invoker.batches.flat()).to.deep.equal([1, 2, 6, 7]);
    expect(shard.reads).to.deep.include({ type: 'TRIM_HORIZON' });
    expect(reopenings(logger)[0]?.message).to.include('records may be lost');
  });

  it(`retries a failing iterator ${MAX_ITERATOR_FAILURES - 1} times, then takes it for dead and re-opens it`, async () => {
    // Prepare
    const { shard, invoker, logger, consumer } = setup();
    shard.put(...records(1, 2));
    await drain(consumer);
    const dead = shard.lastIssued;
    shard.put(...records(3));
    const unavailable = () =>
      Object.assign(new Error('Internal server error'), { name: 'InternalServerError' });
    shard.failures.push(...Array.from({ length: MAX_ITERATOR_FAILURES }, unavailable));

    // Act
    await drain(consumer);

    // Assess: the same iterator was tried MAX_ITERATOR_FAILURES times, then never again
    const isDead = (read: ShardPosition) => read.type === 'CONTINUATION' && read.token === dead;
    expect(shard.reads.filter(isDead)).to.have.length(MAX_ITERATOR_FAILURES);
    const afterDead = shard.reads.slice(shard.reads.findLastIndex(isDead) + 1);
    expect(afterDead[0]).to.deep.equal({ type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: sequenceOf(2) });
    expect(invoker.batches.flat()).to.deep.equal([1, 2, 3]);
    expect(reopenings(logger)).to.have.length(1);
  });

  it('keeps reading through a transient failure without re-opening the iterator', async () => {
    const { shard, invoker, logger, consumer } = setup();
    shard.put(...records(1));
    await drain(consumer);
    shard.failures.push(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    shard.put(...records(2));

    await drain(consumer);

    expect(invoker.batches.flat()).to.deep.equal([1, 2]);
    expect(reopenings(logger)).to.deep.equal([]);
  });

  describe('through the readers and their SDK clients', () => {
    it('DynamoDB Streams: asks for a new iterator after the last record read when GetRecords says it expired', async () => {
      // Prepare: a client whose first iterator dies after one read
      const commands: { name: string; input: Record<string, unknown> }[] = [];
      const streamRecord = (index: number) => ({
        eventID: `e${index}`,
        eventName: 'INSERT',
        dynamodb: {
          SequenceNumber: sequenceOf(index),
          Keys: { pk: { S: `k${index}` } },
          StreamViewType: 'KEYS_ONLY',
        },
      });
      const client = {
        async send(command: GetShardIteratorCommand | GetRecordsCommand) {
          const input = command.input as unknown as Record<string, unknown>;
          commands.push({ name: command.constructor.name, input });
          if (command instanceof GetShardIteratorCommand) {
            return { ShardIterator: input.ShardIteratorType === 'TRIM_HORIZON' ? 'first' : 'reopened' };
          }
          if (input.ShardIterator === 'first')
            return { Records: [streamRecord(1)], NextShardIterator: 'stale' };
          if (input.ShardIterator === 'stale') throw expired();
          return { Records: [streamRecord(2)], NextShardIterator: 'next' };
        },
      } as unknown as DynamoDBStreamsClient;
      const invoker = new RecordingInvokerOfKeys();
      const consumer = fakeShardConsumer({
        settings: parseEventSourceMapping({ StartingPosition: 'TRIM_HORIZON', BatchSize: 10 }, 'dynamodb'),
        reader: dynamodbShardReader(client, { arn: STREAM_ARN, shardId: SHARD_ID, region: 'us-east-1' }),
        invoker,
      });

      // Act
      await consumer.pollOnce();
      await consumer.pollOnce();

      // Assess
      expect(invoker.keys).to.deep.equal(['k1', 'k2']);
      expect(
        commands.filter(({ name }) => name === 'GetShardIteratorCommand').map(({ input }) => input),
      ).to.deep.equal([
        { StreamArn: STREAM_ARN, ShardId: SHARD_ID, ShardIteratorType: 'TRIM_HORIZON' },
        {
          StreamArn: STREAM_ARN,
          ShardId: SHARD_ID,
          ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
          SequenceNumber: sequenceOf(1),
        },
      ]);
    });

    it('Kinesis: the same recovery, the readers sharing the consumer', async () => {
      const iteratorRequests: Record<string, unknown>[] = [];
      const kinesisRecordOf = (index: number) => ({
        SequenceNumber: sequenceOf(index),
        PartitionKey: 'device-1',
        Data: Buffer.from(JSON.stringify({ index })),
        ApproximateArrivalTimestamp: new Date(0),
      });
      const client = {
        async send(command: KinesisGetShardIteratorCommand | KinesisGetRecordsCommand) {
          const input = command.input as unknown as Record<string, unknown>;
          if (command instanceof KinesisGetShardIteratorCommand) {
            iteratorRequests.push(input);
            return { ShardIterator: input.ShardIteratorType === 'TRIM_HORIZON' ? 'first' : 'reopened' };
          }
          if (input.ShardIterator === 'first')
            return { Records: [kinesisRecordOf(1)], NextShardIterator: 'stale' };
          if (input.ShardIterator === 'stale') {
            throw new KinesisExpiredIteratorException({ message: 'Iterator expired', $metadata: {} });
          }
          return { Records: [kinesisRecordOf(2)], NextShardIterator: 'next' };
        },
      } as unknown as KinesisClient;
      const invoker = new RecordingInvoker();
      const consumer = fakeShardConsumer({
        settings: parseEventSourceMapping({ StartingPosition: 'TRIM_HORIZON', BatchSize: 10 }, 'kinesis'),
        reader: kinesisShardReader(client, {
          name: 'telemetry',
          arn: STREAM_ARN,
          shardId: SHARD_ID,
          region: 'us-east-1',
        }),
        invoker,
      });

      await consumer.pollOnce();
      await consumer.pollOnce();

      expect(invoker.batches.flat()).to.deep.equal([1, 2]);
      expect(iteratorRequests.at(-1)).to.deep.include({
        ShardIteratorType: 'AFTER_SEQUENCE_NUMBER',
        StartingSequenceNumber: sequenceOf(1),
      });
    });
  });
});

/** Records the item keys of the DynamoDB records each invocation carried. */
class RecordingInvokerOfKeys {
  readonly keys: string[] = [];

  async invoke(_functionName: string, payload: unknown): Promise<InvokeResult> {
    const { Records } = payload as { Records: { dynamodb: { Keys: { pk: { S: string } } } }[] };
    this.keys.push(...Records.map((record) => record.dynamodb.Keys.pk.S));
    return { payload: undefined };
  }
}
