import { expect } from 'chai';
import { type InvokeResult, MAX_PAYLOAD_BYTES } from '../../../src/lambda/invoker';
import { parseEventSourceMapping } from '../../../src/triggers/event-source-mapping/settings';
import {
  createShardConsumer,
  laneFor,
  orderingKey,
  type ShardConsumer,
  type StreamRecord,
} from '../../../src/triggers/event-source-mapping/stream-consumer';
import {
  CapturingLogger,
  DLQ_ARN,
  deferred,
  type EventPayload,
  FakeClock,
  FakeDestination,
  FakeShard,
  FUNCTION_ARN,
  FUNCTION_NAME,
  fakeShardConsumer,
  flush,
  indexOf,
  kinesisRecord,
  RecordingInvoker,
  SHARD_ID,
  STREAM_ARN,
  sequenceOf,
  stopDuringInvocation,
  T0,
  TABLE_STREAM_ARN,
} from './fakes';

type Handler = (event: EventPayload, call: number) => InvokeResult | Promise<InvokeResult>;

interface SetupOptions {
  handler?: Handler;
  matches?: (record: StreamRecord) => boolean;
  destination?: boolean;
  kind?: 'kinesis' | 'dynamodb';
}

function setup(properties: Record<string, unknown>, options: SetupOptions = {}) {
  const clock = new FakeClock();
  const shard = new FakeShard(clock);
  const invoker = new RecordingInvoker(options.handler);
  const destination = new FakeDestination();
  const logger = new CapturingLogger();
  const checkpoints: string[] = [];
  const kind = options.kind ?? 'kinesis';
  let requests = 0;
  const settings = parseEventSourceMapping({ StartingPosition: 'TRIM_HORIZON', ...properties }, kind);
  const consumer = fakeShardConsumer({
    settings,
    eventSourceArn: kind === 'kinesis' ? STREAM_ARN : TABLE_STREAM_ARN,
    reader: shard,
    invoker,
    ...(options.destination === false ? {} : { destination }),
    ...(options.matches === undefined ? {} : { matches: options.matches }),
    clock,
    logger,
    onCheckpoint: (sequenceNumber) => checkpoints.push(sequenceNumber),
    newRequestId: () => {
      requests += 1;
      return `request-${requests}`;
    },
  });
  return { clock, shard, invoker, destination, logger, consumer, checkpoints };
}

/** setup() whose function records the time of each invocation. */
function setupWithInvocationTimes(properties: Record<string, unknown>) {
  const times: number[] = [];
  const parts = setup(properties, {
    handler: () => {
      times.push(parts.clock.now());
      return { payload: null };
    },
  });
  return { ...parts, times };
}

/** Polls until a poll does nothing. */
async function drain(consumer: ShardConsumer): Promise<void> {
  for (let poll = 0; poll < 200; poll += 1) {
    const result = await consumer.pollOnce();
    if (result.invocations === 0 && result.discarded === 0) return;
  }
  throw new Error('the consumer never settled');
}

function records(...indexes: number[]): StreamRecord[] {
  return indexes.map((index) => kinesisRecord(index));
}

const failing = (error = 'Unhandled'): InvokeResult => ({
  payload: { errorMessage: 'boom' },
  functionError: error,
});
const failItems = (...indexes: number[]): InvokeResult => ({
  payload: { batchItemFailures: indexes.map((index) => ({ itemIdentifier: sequenceOf(index) })) },
});

describe('createShardConsumer', () => {
  describe('batching and checkpoints', () => {
    it('delivers the records in batches of BatchSize, in order, and checkpoints past each batch', async () => {
      // Prepare
      const { shard, invoker, consumer, checkpoints } = setup({ BatchSize: 2 });
      shard.put(...records(1, 2, 3, 4, 5));

      // Act
      await drain(consumer);

      // Assess
      expect(invoker.batches).to.deep.equal([[1, 2], [3, 4], [5]]);
      expect(checkpoints).to.deep.equal([sequenceOf(2), sequenceOf(4), sequenceOf(5)]);
      expect(consumer.checkpoint()).to.equal(sequenceOf(5));
    });

    it('reads the next records while a batch is out, and delivers them in order', async () => {
      const readsByEndOfInvocation: number[] = [];
      const parts = setup(
        { BatchSize: 2 },
        {
          handler: async () => {
            await new Promise((resolve) => setImmediate(resolve));
            readsByEndOfInvocation.push(parts.shard.reads.length);
            return { payload: null };
          },
        },
      );
      parts.shard.put(...records(1, 2, 3, 4, 5));

      await drain(parts.consumer);

      expect(parts.invoker.batches).to.deep.equal([[1, 2], [3, 4], [5]]);
      expect(readsByEndOfInvocation.slice(0, 2)).to.deep.equal([2, 3]);
    });

    it('sends the event records as they are, under Records, with no window fields', async () => {
      const { shard, invoker, consumer } = setup({});
      const [record] = records(1);
      if (record === undefined) throw new Error('no record');
      shard.put(record);

      await consumer.pollOnce();

      expect(invoker.invocations[0]?.payload).to.deep.equal({ Records: [record.body] });
    });

    it('waits up to the batching window for more records before invoking', async () => {
      // Prepare
      const { times, shard, invoker, consumer } = setupWithInvocationTimes({
        BatchSize: 5,
        MaximumBatchingWindowInSeconds: 10,
      });
      shard.put(
        kinesisRecord(1),
        kinesisRecord(2),
        ...[3, 4, 5].map((i) => kinesisRecord(i, { arrival: T0 + 3000 })),
      );

      // Act
      const result = await consumer.pollOnce();

      // Assess: the batch filled up 3 s into the window
      expect(result.invocations).to.equal(1);
      expect(invoker.batches).to.deep.equal([[1, 2, 3, 4, 5]]);
      expect(times).to.deep.equal([T0 + 3000]);
    });

    it('invokes with what it gathered when the batching window ends', async () => {
      const { times, shard, invoker, consumer } = setupWithInvocationTimes({
        BatchSize: 5,
        MaximumBatchingWindowInSeconds: 10,
      });
      shard.put(...records(1, 2));

      await consumer.pollOnce();

      expect(invoker.batches).to.deep.equal([[1, 2]]);
      expect(times).to.deep.equal([T0 + 10_000]);
    });

    it("cuts a batch before Lambda's 6 MB payload limit, whatever the BatchSize", async () => {
      // Prepare: eight records of about 1.33 MB in the event (a Kinesis record's data may be 1 MiB)
      const { shard, invoker, consumer } = setup({ BatchSize: 10_000 });
      shard.put(
        ...[1, 2, 3, 4, 5, 6, 7, 8].map((index) =>
          kinesisRecord(index, { data: { index, filler: 'x'.repeat(1_000_000) } }),
        ),
      );

      // Act
      await drain(consumer);

      // Assess: four records make 5.3 MB, a fifth would make 6.7 MB
      expect(invoker.batches).to.deep.equal([
        [1, 2, 3, 4],
        [5, 6, 7, 8],
      ]);
      for (const { payload } of invoker.invocations)
        expect(Buffer.byteLength(JSON.stringify(payload))).to.be.at.most(MAX_PAYLOAD_BYTES);
    });

    it("leaves room in the payload for a tumbling window's state of up to 1 MB", async () => {
      const { clock, shard, invoker, consumer } = setup(
        { TumblingWindowInSeconds: 60, BatchSize: 10_000 },
        {
          handler: (event) => ({
            payload: { state: { filler: 'y'.repeat(1_000_000), seen: event.Records.length } },
          }),
        },
      );
      shard.put(
        ...[1, 2, 3, 4, 5, 6].map((index) =>
          kinesisRecord(index, { arrival: T0 + index, data: { index, filler: 'x'.repeat(1_000_000) } }),
        ),
      );
      clock.advance(1000);

      await drain(consumer);

      expect(invoker.batches.slice(0, 2)).to.deep.equal([
        [1, 2, 3],
        [4, 5, 6],
      ]);
      for (const { payload } of invoker.invocations)
        expect(Buffer.byteLength(JSON.stringify(payload))).to.be.at.most(MAX_PAYLOAD_BYTES);
    });

    it('reports the end of a closed shard once every record is done with', async () => {
      const { shard, consumer } = setup({});
      shard.put(...records(1, 2));
      shard.ended = true;

      const first = await consumer.pollOnce();
      const second = await consumer.pollOnce();

      expect(first).to.include({ invocations: 1, shardEnded: true });
      expect(second).to.deep.equal({ invocations: 0, discarded: 0, shardEnded: true });
    });
  });

  describe('ReportBatchItemFailures', () => {
    it('retries from the failed record: the records before it are not delivered again', async () => {
      // Prepare: record 3 of 5 fails the first time
      const { shard, invoker, consumer, checkpoints } = setup(
        { FunctionResponseTypes: ['ReportBatchItemFailures'] },
        { handler: (_event, call) => (call === 1 ? failItems(3) : { payload: { batchItemFailures: [] } }) },
      );
      shard.put(...records(1, 2, 3, 4, 5));

      // Act
      await consumer.pollOnce();
      const afterFirst = consumer.checkpoint();
      await drain(consumer);

      // Assess
      expect(afterFirst).to.equal(sequenceOf(2));
      expect(invoker.batches).to.deep.equal([
        [1, 2, 3, 4, 5],
        [3, 4, 5],
      ]);
      expect(checkpoints.at(-1)).to.equal(sequenceOf(5));
    });

    it('checkpoints at the lowest failed sequence number, compared as integers', async () => {
      const { shard, invoker, consumer } = setup(
        { FunctionResponseTypes: ['ReportBatchItemFailures'] },
        { handler: (_event, call) => (call === 1 ? failItems(4, 12, 3) : { payload: null }) },
      );
      shard.put(...records(1, 2, 3, 4, 12));

      await drain(consumer);

      expect(invoker.batches).to.deep.equal([
        [1, 2, 3, 4, 12],
        [3, 4, 12],
      ]);
    });

    for (const [name, payload] of [
      ['an empty list', { batchItemFailures: [] }],
      ['a null list', { batchItemFailures: null }],
      ['an empty response', {}],
      ['a null response', null],
    ] as const) {
      it(`treats ${name} as a complete success`, async () => {
        const { shard, invoker, consumer } = setup(
          { FunctionResponseTypes: ['ReportBatchItemFailures'] },
          { handler: () => ({ payload }) },
        );
        shard.put(...records(1, 2, 3));

        await drain(consumer);

        expect(invoker.batches).to.deep.equal([[1, 2, 3]]);
        expect(consumer.checkpoint()).to.equal(sequenceOf(3));
      });
    }

    for (const [name, payload] of [
      [
        'an itemIdentifier that is not in the batch',
        { batchItemFailures: [{ itemIdentifier: sequenceOf(99) }] },
      ],
      ['an empty itemIdentifier', { batchItemFailures: [{ itemIdentifier: '' }] }],
      ['an item with a bad key name', { batchItemFailures: [{ id: sequenceOf(2) }] }],
      ['a response that is not an object', 'done'],
    ] as const) {
      it(`retries the whole batch on ${name}`, async () => {
        const { shard, invoker, consumer } = setup(
          { FunctionResponseTypes: ['ReportBatchItemFailures'] },
          { handler: (_event, call) => (call === 1 ? { payload } : { payload: null }) },
        );
        shard.put(...records(1, 2, 3));

        await drain(consumer);

        expect(invoker.batches).to.deep.equal([
          [1, 2, 3],
          [1, 2, 3],
        ]);
      });
    }

    it('ignores a partial response when the mapping does not report batch item failures', async () => {
      const { shard, invoker, consumer } = setup({}, { handler: () => failItems(2) });
      shard.put(...records(1, 2, 3));

      await drain(consumer);

      expect(invoker.batches).to.deep.equal([[1, 2, 3]]);
      expect(consumer.checkpoint()).to.equal(sequenceOf(3));
    });
  });

  describe('function errors, retries and the on-failure destination', () => {
    it('isolates a poison record by bisection and sends it alone to the destination, then moves on', async () => {
      // Prepare: every batch holding record 3 fails
      const { clock, shard, invoker, destination, consumer, logger } = setup(
        {
          BisectBatchOnFunctionError: true,
          MaximumRetryAttempts: 2,
          DestinationConfig: { OnFailure: { Destination: DLQ_ARN } },
        },
        { handler: (event) => (event.Records.map(indexOf).includes(3) ? failing() : { payload: null }) },
      );
      shard.put(...records(1, 2, 3, 4, 5));

      // Act
      await drain(consumer);
      const discardedAt = destination.sent.length;
      shard.put(...[6, 7].map((index) => kinesisRecord(index, { arrival: clock.now() })));
      await drain(consumer);

      // Assess: halves do not use the retry quota; the single record is retried twice
      expect(invoker.batches).to.deep.equal([
        [1, 2, 3, 4, 5],
        [1, 2, 3],
        [1, 2],
        [3],
        [3],
        [3],
        [4, 5],
        [6, 7],
      ]);
      expect(discardedAt).to.equal(1);
      expect(destination.sent).to.have.length(1);
      const [sent] = destination.sent;
      expect(sent?.destinationArn).to.equal(DLQ_ARN);
      const { timestamp, ...message } = (sent?.message ?? {}) as { timestamp?: string };
      expect(message).to.deep.equal({
        requestContext: {
          requestId: 'request-6',
          functionArn: FUNCTION_ARN,
          condition: 'RetryAttemptsExhausted',
          approximateInvokeCount: 5,
        },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        version: '1.0',
        KinesisBatchInfo: {
          shardId: SHARD_ID,
          startSequenceNumber: sequenceOf(3),
          endSequenceNumber: sequenceOf(3),
          approximateArrivalOfFirstRecord: new Date(T0).toISOString(),
          approximateArrivalOfLastRecord: new Date(T0).toISOString(),
          batchSize: 1,
          streamArn: STREAM_ARN,
        },
      });
      expect(Date.parse(timestamp ?? '')).to.be.at.least(T0);
      expect(consumer.checkpoint()).to.equal(sequenceOf(7));
      expect(logger.entries.filter((entry) => entry.level === 'error')).to.deep.equal([]);
    });

    it('retries the same batch MaximumRetryAttempts times, then gives up on it', async () => {
      const { shard, invoker, destination, consumer } = setup(
        { MaximumRetryAttempts: 2, DestinationConfig: { OnFailure: { Destination: DLQ_ARN } } },
        { handler: (event) => (event.Records.map(indexOf).includes(1) ? failing() : { payload: null }) },
      );
      shard.put(...records(1, 2));

      await drain(consumer);

      expect(invoker.batches).to.deep.equal([
        [1, 2],
        [1, 2],
        [1, 2],
      ]);
      expect(destination.sent[0]?.message).to.nested.include({
        'requestContext.condition': 'RetryAttemptsExhausted',
        'requestContext.approximateInvokeCount': 3,
        'KinesisBatchInfo.batchSize': 2,
      });
    });

    it('backs off between retries: 1 s, then doubling', async () => {
      const invokedAt: number[] = [];
      const { clock, shard, consumer } = setup(
        { MaximumRetryAttempts: 3 },
        {
          handler: () => {
            invokedAt.push(clock.now() - T0);
            return failing();
          },
        },
      );
      shard.put(...records(1));

      await drain(consumer);

      expect(invokedAt).to.deep.equal([0, 1000, 3000, 7000]);
    });

    it('drops the records after the retries when there is no destination, and says so', async () => {
      const { shard, invoker, consumer, logger } = setup(
        { MaximumRetryAttempts: 0 },
        { handler: () => failing(), destination: false },
      );
      shard.put(...records(1, 2));

      await drain(consumer);

      expect(invoker.batches).to.deep.equal([[1, 2]]);
      expect(consumer.checkpoint()).to.equal(sequenceOf(2));
      const warning = logger.entries.find((entry) => entry.message.includes('no on-failure destination'));
      expect(warning?.details).to.nested.include({
        'record.requestContext.condition': 'RetryAttemptsExhausted',
        'record.KinesisBatchInfo.startSequenceNumber': sequenceOf(1),
      });
    });

    it('gives up on records older than MaximumRecordAgeInSeconds with condition RecordAgeExceeded', async () => {
      // Prepare: the function always fails and retries are unlimited
      const invokedAt: number[] = [];
      const { clock, shard, invoker, destination, consumer } = setup(
        { MaximumRecordAgeInSeconds: 60, DestinationConfig: { OnFailure: { Destination: DLQ_ARN } } },
        {
          handler: () => {
            invokedAt.push(clock.now());
            return failing();
          },
        },
      );
      shard.put(...records(1, 2, 3));

      // Act
      await drain(consumer);

      // Assess: never invoked with a record older than 60 s, then discarded as a whole
      expect(invoker.batches.length).to.be.greaterThan(1);
      expect(invokedAt.every((time) => time - T0 <= 60_000)).to.equal(true);
      expect(destination.sent).to.have.length(1);
      expect(destination.sent[0]?.message).to.nested.include({
        'requestContext.condition': 'RecordAgeExceeded',
        'requestContext.approximateInvokeCount': invoker.invocations.length,
        'responseContext.functionError': 'Unhandled',
        'KinesisBatchInfo.startSequenceNumber': sequenceOf(1),
        'KinesisBatchInfo.endSequenceNumber': sequenceOf(3),
        'KinesisBatchInfo.batchSize': 3,
      });
      expect(consumer.checkpoint()).to.equal(sequenceOf(3));
    });

    it('never sends a record that is already too old, and keeps the fresh ones', async () => {
      const { clock, shard, invoker, destination, consumer } = setup({
        MaximumRecordAgeInSeconds: 60,
        DestinationConfig: { OnFailure: { Destination: DLQ_ARN } },
      });
      shard.put(kinesisRecord(1), kinesisRecord(2, { arrival: T0 + 30_000 }));
      clock.advance(61_000);

      await drain(consumer);

      expect(invoker.batches).to.deep.equal([[2]]);
      const message = destination.sent[0]?.message as Record<string, unknown>;
      expect(message).to.nested.include({
        'requestContext.condition': 'RecordAgeExceeded',
        'requestContext.approximateInvokeCount': 0,
        'KinesisBatchInfo.batchSize': 1,
      });
      expect(message).not.to.have.property('responseContext');
    });

    it('loses nothing when the invoker crashes: the batch is retried without using the retry quota', async () => {
      // Prepare: the first invocation rejects (the function process died)
      const { shard, invoker, destination, consumer } = setup(
        { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: DLQ_ARN } } },
        {
          handler: (_event, call) => {
            if (call === 1) throw new Error('socket hang up');
            return { payload: null };
          },
        },
      );
      shard.put(...records(1, 2, 3));

      // Act
      await consumer.pollOnce();
      const afterCrash = consumer.checkpoint();
      await drain(consumer);

      // Assess
      expect(afterCrash).to.equal(undefined);
      expect(invoker.batches).to.deep.equal([
        [1, 2, 3],
        [1, 2, 3],
      ]);
      expect(destination.sent).to.deep.equal([]);
      expect(consumer.checkpoint()).to.equal(sequenceOf(3));
    });

    it('describes DynamoDB batches as DDBStreamBatchInfo', async () => {
      const { shard, destination, consumer } = setup(
        { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: { Destination: DLQ_ARN } } },
        { handler: () => failing(), kind: 'dynamodb' },
      );
      shard.put(...records(1));

      await drain(consumer);

      expect(destination.sent[0]?.message).to.have.property('DDBStreamBatchInfo').that.includes({
        streamArn: TABLE_STREAM_ARN,
        batchSize: 1,
      });
      expect(destination.sent[0]?.message).not.to.have.property('KinesisBatchInfo');
    });

    it('refuses a mapping with a failure destination but no way to send to it', () => {
      const settings = parseEventSourceMapping(
        { StartingPosition: 'LATEST', DestinationConfig: { OnFailure: { Destination: DLQ_ARN } } },
        'kinesis',
      );
      const clock = new FakeClock();

      expect(() =>
        createShardConsumer({
          settings,
          functionName: FUNCTION_NAME,
          functionArn: FUNCTION_ARN,
          eventSourceArn: STREAM_ARN,
          shardId: SHARD_ID,
          reader: new FakeShard(clock),
          invoker: new RecordingInvoker(),
        }),
      ).to.throw(DLQ_ARN);
    });
  });

  describe('filter criteria', () => {
    it('delivers only the matching records and checkpoints past the others', async () => {
      const { shard, invoker, consumer } = setup({}, { matches: (record) => indexOf(record.body) % 2 === 1 });
      shard.put(...records(1, 2, 3, 4, 5, 6));

      await drain(consumer);

      expect(invoker.batches).to.deep.equal([[1, 3, 5]]);
      expect(consumer.checkpoint()).to.equal(sequenceOf(6));
    });

    it('does not invoke the function when no record matches', async () => {
      const { shard, invoker, consumer } = setup({}, { matches: () => false });
      shard.put(...records(1, 2));

      await drain(consumer);

      expect(invoker.invocations).to.deep.equal([]);
      expect(consumer.checkpoint()).to.equal(sequenceOf(2));
    });

    it('drops a record whose filter evaluation throws', async () => {
      const { shard, invoker, consumer } = setup(
        {},
        {
          matches: (record) => {
            if (indexOf(record.body) === 2) throw new SyntaxError('data is not JSON');
            return true;
          },
        },
      );
      shard.put(...records(1, 2, 3));

      await drain(consumer);

      expect(invoker.batches).to.deep.equal([[1, 3]]);
    });
  });

  describe('ParallelizationFactor', () => {
    const [keyA, keyB] = keysInDistinctLanes(2);

    it('processes up to N batches at once and checkpoints only up to the lowest one in flight', async () => {
      // Prepare: invocations finish when the test says so
      const pending: { indexes: number[]; finish: (result: InvokeResult) => void }[] = [];
      const { shard, invoker, consumer } = setup(
        { ParallelizationFactor: 2, BatchSize: 2 },
        {
          handler: (event) => {
            const { promise, resolve } = deferred<InvokeResult>();
            pending.push({ indexes: event.Records.map(indexOf), finish: resolve });
            return promise;
          },
        },
      );
      shard.put(
        ...[1, 3].map((index) => kinesisRecord(index, { partitionKey: keyA })),
        ...[2, 4].map((index) => kinesisRecord(index, { partitionKey: keyB })),
      );
      shard.records.sort((a, b) => (BigInt(a.sequenceNumber) < BigInt(b.sequenceNumber) ? -1 : 1));

      // Act
      const poll = consumer.pollOnce();
      await flush();
      const inFlight = pending.map((item) => item.indexes);
      pending.find((item) => item.indexes.includes(2))?.finish({ payload: null });
      await flush();
      const whileFirstInFlight = consumer.checkpoint();
      pending.find((item) => item.indexes.includes(1))?.finish({ payload: null });
      await poll;

      // Assess
      expect(inFlight).to.have.deep.members([
        [1, 3],
        [2, 4],
      ]);
      expect(invoker.invocations).to.have.length(2);
      expect(whileFirstInFlight).to.equal(undefined);
      expect(consumer.checkpoint()).to.equal(sequenceOf(4));
    });

    it('keeps the order of each partition key, also through retries, while other keys go on', async () => {
      // Prepare: the first batch of key A fails once
      const successes: number[] = [];
      let failed = false;
      const { shard, consumer } = setup(
        { ParallelizationFactor: 2, BatchSize: 1 },
        {
          handler: (event) => {
            const indexes = event.Records.map(indexOf);
            if (!failed && indexes.includes(1)) {
              failed = true;
              return failing();
            }
            successes.push(...indexes);
            return { payload: null };
          },
        },
      );
      for (let index = 1; index <= 8; index += 1) {
        shard.put(kinesisRecord(index, { partitionKey: index % 2 === 1 ? keyA : keyB }));
      }

      // Act
      await drain(consumer);

      // Assess
      expect(failed).to.equal(true);
      expect(successes.filter((index) => index % 2 === 1)).to.deep.equal([1, 3, 5, 7]);
      expect(successes.filter((index) => index % 2 === 0)).to.deep.equal([2, 4, 6, 8]);
      expect(successes.indexOf(4)).to.be.lessThan(successes.indexOf(1));
      expect(consumer.checkpoint()).to.equal(sequenceOf(8));
    });

    it('keeps the records of one DynamoDB item in one lane, whatever the order of its keys', () => {
      const first = orderingKey({
        ...kinesisRecord(1),
        partitionKey: undefined,
        keys: { pk: { S: 'a' }, sk: { S: 'b' } },
      });
      const second = orderingKey({
        ...kinesisRecord(2),
        partitionKey: undefined,
        keys: { sk: { S: 'b' }, pk: { S: 'a' } },
      });

      expect(first).to.equal(second);
      expect(laneFor(first, 10)).to.equal(laneFor(second, 10));
    });
  });

  describe('tumbling windows', () => {
    // State: how many records the window has seen.
    const counting: Handler = (event) => {
      const state = event.state as { count?: number };
      if (event.isFinalInvokeForWindow === true) return { payload: { state } };
      return { payload: { state: { count: (state.count ?? 0) + event.Records.length } } };
    };

    it('carries the state from one invocation to the next and ends the window with one final invocation', async () => {
      // Prepare: three records in the window [T0, T0 + 60 s)
      const { clock, shard, invoker, consumer } = setup(
        { TumblingWindowInSeconds: 60, BatchSize: 2 },
        { handler: counting },
      );
      shard.put(...[1, 2, 3].map((index) => kinesisRecord(index, { arrival: T0 + index * 1000 })));
      clock.advance(5000);

      // Act
      await drain(consumer);
      const beforeClose = consumer.checkpoint();
      clock.advance(60_000);
      await drain(consumer);
      shard.put(kinesisRecord(4, { arrival: clock.now() }));
      await drain(consumer);

      // Assess
      const events = invoker.invocations.map((invocation) => invocation.payload);
      const window = { start: '2023-11-14T22:14:00Z', end: '2023-11-14T22:15:00Z' };
      const common = {
        window,
        shardId: SHARD_ID,
        eventSourceARN: STREAM_ARN,
        isWindowTerminatedEarly: false,
      };
      expect(invoker.batches).to.deep.equal([[1, 2], [3], [], [4]]);
      expect(events[0]).to.deep.include({ ...common, state: {}, isFinalInvokeForWindow: false });
      expect(events[1]).to.deep.include({ ...common, state: { count: 2 }, isFinalInvokeForWindow: false });
      expect(events[2]).to.deep.include({ ...common, state: { count: 3 }, isFinalInvokeForWindow: true });
      expect(events[3]).to.deep.include({
        window: { start: '2023-11-14T22:15:00Z', end: '2023-11-14T22:16:00Z' },
        state: {},
        isFinalInvokeForWindow: false,
      });
      expect(events.filter((event) => event.isFinalInvokeForWindow === true)).to.have.length(1);
      expect(beforeClose).to.equal(undefined);
      expect(consumer.checkpoint()).to.equal(sequenceOf(3));
    });

    it('closes a window as soon as a record of the next window is read', async () => {
      const { clock, shard, invoker, consumer } = setup(
        { TumblingWindowInSeconds: 60 },
        { handler: counting },
      );
      shard.put(kinesisRecord(1, { arrival: T0 + 59_000 }), kinesisRecord(2, { arrival: T0 + 61_000 }));
      clock.advance(62_000);

      await drain(consumer);

      const events = invoker.invocations.map((invocation) => invocation.payload);
      expect(invoker.batches).to.deep.equal([[1], [], [2]]);
      expect(events.map((event) => event.isFinalInvokeForWindow)).to.deep.equal([false, true, false]);
      expect(events[2]?.state).to.deep.equal({});
    });

    it('treats a response without state as a failed invocation', async () => {
      const { clock, shard, invoker, consumer } = setup(
        { TumblingWindowInSeconds: 60 },
        { handler: (event, call) => (call === 1 ? { payload: { count: 1 } } : counting(event, call)) },
      );
      shard.put(kinesisRecord(1, { arrival: T0 + 1000 }));
      clock.advance(2000);

      await drain(consumer);

      expect(invoker.batches).to.deep.equal([[1], [1]]);
      expect(invoker.invocations[1]?.payload.state).to.deep.equal({});
    });

    it('terminates the window early when its state exceeds 1 MB, then goes on with a fresh state', async () => {
      const big = { blob: 'x'.repeat(1024 * 1024 + 1) };
      const { clock, shard, invoker, consumer } = setup(
        { TumblingWindowInSeconds: 60, BatchSize: 1 },
        { handler: (event, call) => (call === 1 ? { payload: { state: big } } : counting(event, call)) },
      );
      shard.put(...[1, 2].map((index) => kinesisRecord(index, { arrival: T0 + index * 1000 })));
      clock.advance(5000);

      await drain(consumer);

      const events = invoker.invocations.map((invocation) => invocation.payload);
      expect(invoker.batches).to.deep.equal([[1], [], [2]]);
      expect(events[1]).to.deep.include({
        isFinalInvokeForWindow: true,
        isWindowTerminatedEarly: true,
        state: big,
      });
      expect(events[2]).to.deep.include({ state: {}, isFinalInvokeForWindow: false });
      expect(events[2]?.window).to.deep.equal(events[0]?.window);
    });
  });

  describe('start and stop', () => {
    it('polls until stopped, and stop waits for the invocation under way', async () => {
      // Prepare
      const { promise, resolve } = deferred<InvokeResult>();
      const { shard, invoker, consumer } = setup({}, { handler: () => promise });
      shard.put(...records(1));

      // Act
      const { stoppedBeforeResponse } = await stopDuringInvocation(
        consumer,
        () => invoker.invocations.length > 0,
        () => resolve({ payload: null }),
      );

      // Assess
      expect(stoppedBeforeResponse).to.equal(false);
      expect(consumer.checkpoint()).to.equal(sequenceOf(1));
      expect(invoker.invocations).to.have.length(1);
    });

    it('does not poll a disabled mapping', async () => {
      const { shard, invoker, consumer } = setup({ Enabled: false });
      shard.put(...records(1));

      consumer.start();
      await new Promise((done) => setImmediate(done));
      await consumer.stop();

      expect(invoker.invocations).to.deep.equal([]);
    });
  });
});

/** Partition keys that fall into different lanes, so that the test does not depend on the hash. */
function keysInDistinctLanes(lanes: number): string[] {
  const keys: string[] = [];
  for (let index = 0; keys.length < lanes; index += 1) {
    const key = `device-${index}`;
    if (!keys.some((other) => laneFor(other, lanes) === laneFor(key, lanes))) keys.push(key);
  }
  return keys;
}
