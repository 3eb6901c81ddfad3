import { expect } from 'chai';
import { type InvokeResult, type LambdaInvoker, MAX_PAYLOAD_BYTES } from '../../../src/lambda/invoker';
import {
  createQueueConsumer,
  type QueueMessage,
} from '../../../src/triggers/event-source-mapping/queue-consumer';
import { parseEventSourceMapping } from '../../../src/triggers/event-source-mapping/settings';
import { sqsReceiveMessage } from '../../aws-samples';
import {
  CapturingLogger,
  deferred,
  FakeClock,
  FakeQueue,
  FUNCTION_NAME,
  QUEUE_ARN,
  stopDuringInvocation,
  T0,
} from './fakes';

interface SqsEvent {
  Records: { messageId: string; body: string; attributes: Record<string, string> }[];
}

type Handler = (event: SqsEvent, call: number) => InvokeResult | Promise<InvokeResult>;

class QueueInvoker implements LambdaInvoker {
  readonly events: SqsEvent[] = [];
  readonly times: number[] = [];

  constructor(
    private readonly clock: FakeClock,
    private readonly handler: Handler = () => ({ payload: undefined }),
  ) {}

  async invoke(functionName: string, payload: unknown): Promise<InvokeResult> {
    if (functionName !== FUNCTION_NAME) throw new Error(`unexpected function ${functionName}`);
    this.events.push(payload as SqsEvent);
    this.times.push(this.clock.now());
    return this.handler(payload as SqsEvent, this.events.length);
  }

  get batches(): string[][] {
    return this.events.map((event) => event.Records.map((record) => record.messageId));
  }
}

interface SetupOptions {
  handler?: Handler;
  matches?: (message: QueueMessage) => boolean;
  visibilityTimeoutSeconds?: number;
  functionTimeoutSeconds?: number;
}

function setup(properties: Record<string, unknown>, options: SetupOptions = {}) {
  const clock = new FakeClock();
  const queue = new FakeQueue(clock, options.visibilityTimeoutSeconds ?? 30);
  const invoker = new QueueInvoker(clock, options.handler);
  const logger = new CapturingLogger();
  const consumer = createQueueConsumer({
    settings: parseEventSourceMapping({ EventSourceArn: QUEUE_ARN, ...properties }, 'sqs'),
    functionName: FUNCTION_NAME,
    eventSourceArn: QUEUE_ARN,
    reader: queue,
    invoker,
    ...(options.matches === undefined ? {} : { matches: options.matches }),
    ...(options.visibilityTimeoutSeconds === undefined
      ? {}
      : { visibilityTimeoutSeconds: options.visibilityTimeoutSeconds }),
    ...(options.functionTimeoutSeconds === undefined
      ? {}
      : { functionTimeoutSeconds: options.functionTimeoutSeconds }),
    clock,
    sleep: clock.sleep,
    logger,
  });
  return { clock, queue, invoker, logger, consumer };
}

function sendAll(queue: FakeQueue, ...ids: string[]): void {
  for (const id of ids) queue.send(id, JSON.stringify({ id }));
}

const failIds = (...ids: string[]): InvokeResult => ({
  payload: { batchItemFailures: ids.map((id) => ({ itemIdentifier: id })) },
});

describe('createQueueConsumer', () => {
  it('sends the batch in the shape of the SQS sample event and deletes it when the function succeeds', async () => {
    // Prepare
    const sample = sqsReceiveMessage as unknown as { Records: Record<string, unknown>[] };
    const { queue, invoker, consumer } = setup({});
    sendAll(queue, 'm1', 'm2');

    // Act
    const result = await consumer.pollOnce();

    // Assess
    const [record] = invoker.events[0]?.Records ?? [];
    expect(Object.keys(record ?? {})).to.have.members(Object.keys(sample.Records[0] ?? {}));
    expect(record).to.deep.include({
      messageId: 'm1',
      body: '{"id":"m1"}',
      eventSource: 'aws:sqs',
      eventSourceARN: QUEUE_ARN,
      awsRegion: 'us-east-1',
    });
    expect(record?.attributes).to.include({ ApproximateReceiveCount: '1' });
    expect(result).to.deep.equal({ invocations: 1, received: 2, deleted: 2 });
    expect(queue.remaining).to.deep.equal([]);
  });

  it('deletes only the successful messages of a partial failure; the failed ones come back', async () => {
    // Prepare
    const { clock, queue, invoker, consumer } = setup(
      { FunctionResponseTypes: ['ReportBatchItemFailures'] },
      {
        handler: (_event, call) =>
          call === 1 ? failIds('m2', 'm4') : { payload: { batchItemFailures: [] } },
      },
    );
    sendAll(queue, 'm1', 'm2', 'm3', 'm4', 'm5');

    // Act
    await consumer.pollOnce();
    const deletedFirst = [...queue.deleted];
    clock.advance(30_000);
    await consumer.pollOnce();

    // Assess
    expect(deletedFirst).to.deep.equal(['m1', 'm3', 'm5']);
    expect(invoker.batches).to.deep.equal([
      ['m1', 'm2', 'm3', 'm4', 'm5'],
      ['m2', 'm4'],
    ]);
    expect(invoker.events[1]?.Records[0]?.attributes).to.include({ ApproximateReceiveCount: '2' });
    expect(queue.remaining).to.deep.equal([]);
  });

  it('leaves the whole batch on the queue when the function fails', async () => {
    const { queue, logger, consumer } = setup(
      { FunctionResponseTypes: ['ReportBatchItemFailures'] },
      {
        handler: () => ({ payload: { errorMessage: 'boom' }, functionError: 'Unhandled' }),
      },
    );
    sendAll(queue, 'm1', 'm2');

    const result = await consumer.pollOnce();

    expect(result).to.deep.equal({ invocations: 1, received: 2, deleted: 0 });
    expect(queue.remaining).to.deep.equal(['m1', 'm2']);
    expect(logger.entries.map((entry) => entry.message)).to.include(
      'The function failed; the batch stays on the queue',
    );
  });

  for (const [name, payload] of [
    ['an unknown message id', { batchItemFailures: [{ itemIdentifier: 'm9' }] }],
    ['a null itemIdentifier', { batchItemFailures: [{ itemIdentifier: null }] }],
    ['a response that is not an object', 42],
  ] as const) {
    it(`leaves the whole batch on the queue for ${name}`, async () => {
      const { queue, consumer } = setup(
        { FunctionResponseTypes: ['ReportBatchItemFailures'] },
        {
          handler: () => ({ payload }),
        },
      );
      sendAll(queue, 'm1', 'm2');

      await consumer.pollOnce();

      expect(queue.deleted).to.deep.equal([]);
    });
  }

  it('ignores a partial response when the mapping does not report batch item failures', async () => {
    const { queue, consumer } = setup({}, { handler: () => failIds('m1') });
    sendAll(queue, 'm1', 'm2');

    await consumer.pollOnce();

    expect(queue.deleted).to.deep.equal(['m1', 'm2']);
  });

  it('leaves the batch on the queue when the function cannot be invoked', async () => {
    const { queue, consumer } = setup(
      {},
      {
        handler: () => {
          throw new Error('connect ECONNREFUSED');
        },
      },
    );
    sendAll(queue, 'm1');

    const result = await consumer.pollOnce();

    expect(result.invocations).to.equal(1);
    expect(queue.remaining).to.deep.equal(['m1']);
  });

  it('deletes the messages that match no filter, without delivering them', async () => {
    const { queue, invoker, consumer } = setup({}, { matches: (message) => message.body.includes('keep') });
    queue.send('m1', 'keep me');
    queue.send('m2', 'drop me');
    queue.send('m3', 'keep me too');

    await consumer.pollOnce();

    expect(invoker.batches).to.deep.equal([['m1', 'm3']]);
    expect(queue.deleted).to.have.members(['m1', 'm2', 'm3']);
  });

  it('does not invoke the function when no message matches', async () => {
    const { queue, invoker, consumer } = setup({}, { matches: () => false });
    sendAll(queue, 'm1');

    const result = await consumer.pollOnce();

    expect(invoker.events).to.deep.equal([]);
    expect(result).to.deep.equal({ invocations: 0, received: 1, deleted: 1 });
  });

  it('gathers messages during the batching window, receiving at most 10 at a time', async () => {
    // Prepare: 3 messages now, 3 more 2 s later
    const { queue, invoker, consumer } = setup({ BatchSize: 20, MaximumBatchingWindowInSeconds: 5 });
    sendAll(queue, 'm1', 'm2', 'm3');
    for (const id of ['m4', 'm5', 'm6']) queue.send(id, id, T0 + 2000);

    // Act
    await consumer.pollOnce();

    // Assess
    expect(invoker.batches).to.deep.equal([['m1', 'm2', 'm3', 'm4', 'm5', 'm6']]);
    expect(invoker.times).to.deep.equal([T0 + 5000]);
    expect(Math.max(...queue.receives.map((receive) => receive.maxMessages))).to.equal(10);
  });

  it('invokes as soon as the batch is full, without waiting for the window to end', async () => {
    const { queue, invoker, consumer } = setup({ BatchSize: 10, MaximumBatchingWindowInSeconds: 60 });
    sendAll(queue, ...Array.from({ length: 12 }, (_value, index) => `m${index + 1}`));

    await consumer.pollOnce();

    expect(invoker.batches[0]).to.have.length(10);
    expect(invoker.times).to.deep.equal([T0]);
  });

  it("cuts a batch before Lambda's 6 MB payload limit and starts the next one with the rest, at once", async () => {
    // Prepare: 30 messages of 1 MiB (SQS's largest), far fewer than the BatchSize
    const { queue, invoker, consumer } = setup({ BatchSize: 1000, MaximumBatchingWindowInSeconds: 60 });
    const ids = Array.from({ length: 30 }, (_value, index) => `m${index + 1}`);
    for (const id of ids) queue.send(id, id.padEnd(1024 * 1024, 'x'));

    // Act
    for (let poll = 0; poll < 6; poll += 1) await consumer.pollOnce();

    // Assess: five messages make 5 MiB, a sixth would make 6 MiB and more; every message once, in order
    expect(invoker.batches.map((batch) => batch.length)).to.deep.equal([5, 5, 5, 5, 5, 5]);
    expect(invoker.batches.flat()).to.deep.equal(ids);
    for (const event of invoker.events)
      expect(Buffer.byteLength(JSON.stringify(event))).to.be.at.most(MAX_PAYLOAD_BYTES);
    expect(invoker.times.slice(1).every((time) => time === invoker.times[0])).to.equal(true);
  });

  it('keeps gathered messages hidden for window + function timeout + 30 s when the queue timeout is shorter', async () => {
    const { queue, consumer } = setup(
      { MaximumBatchingWindowInSeconds: 10 },
      { visibilityTimeoutSeconds: 30, functionTimeoutSeconds: 25 },
    );
    sendAll(queue, 'm1');

    await consumer.pollOnce();

    expect(queue.visibilityChanges).to.deep.equal([{ receiptHandles: ['handle-m1'], seconds: 65 }]);
  });

  it('polls until stopped, and stop waits for the invocation under way', async () => {
    const { promise, resolve } = deferred<InvokeResult>();
    const { queue, invoker, consumer } = setup({}, { handler: () => promise });
    sendAll(queue, 'm1');

    const { stoppedBeforeResponse } = await stopDuringInvocation(
      consumer,
      () => invoker.events.length > 0,
      () => resolve({ payload: null }),
    );

    expect(stoppedBeforeResponse).to.equal(false);
    expect(queue.deleted).to.deep.equal(['m1']);
  });
});
