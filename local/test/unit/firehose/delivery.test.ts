import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startDelivery } from '../../../src/emulators/firehose/delivery';
import type { DeliveryStreamConfig } from '../../../src/emulators/firehose/delivery-stream-config';
import { createFaultPlan } from '../../../src/emulators/firehose/faults';
import { openJournal } from '../../../src/emulators/firehose/journal';
import { createFirehoseMetrics } from '../../../src/emulators/firehose/metrics';
import type { InvokeResult } from '../../../src/lambda/invoker';
import {
  fakeTransformer,
  lambdaProcessing,
  memoryObjectStore,
  streamConfig,
  type TransformEvent,
  upperCaseLines,
  waitFor,
} from '../../emulators/firehose-support';

const TICK_MS = 2;
/** Long enough for many ticks, so that a write the interval does not allow yet would have happened. */
const afterTicks = () => new Promise((resolve) => setTimeout(resolve, TICK_MS * 25));

describe('Firehose delivery', () => {
  let dir: string;
  let now: number;
  const stops: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'firehose-delivery-'));
    now = Date.UTC(2026, 0, 1);
  });
  afterEach(async () => {
    for (const stop of stops.splice(0)) await stop();
    await rm(dir, { recursive: true, force: true });
  });

  const start = async (config: DeliveryStreamConfig, transform = fakeTransformer(upperCaseLines)) => {
    const objects = memoryObjectStore();
    const metrics = createFirehoseMetrics({ publish: () => undefined });
    const pipeline = await startDelivery({
      config,
      journal: await openJournal(join(dir, config.name)),
      objects,
      invoker: transform,
      region: 'us-east-1',
      metrics,
      faults: createFaultPlan(),
      log: () => undefined,
      clock: () => now,
      tickMs: TICK_MS,
      retryDelayMs: () => 1,
    });
    stops.push(async () => {
      await pipeline.stop();
      metrics.stop();
    });
    return { pipeline, objects, transform };
  };

  it('writes a buffer no sooner than its IntervalInSeconds, then without more data', async () => {
    const { pipeline, objects } = await start(
      streamConfig('logs', { BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 60 } }),
    );

    await pipeline.accept([Buffer.from('early\n')]);
    now += 59_999;
    await afterTicks();
    const before = objects.objects.length;
    now += 1;

    await waitFor(
      'the object',
      () => objects.objects,
      (found) => found.length === 1,
    );
    expect(before).to.equal(0);
  });

  it('writes a buffer of 200,000 one-byte records as one object', async () => {
    // Arrange: a buffer of 5 MiB holds up to 5 million records this small; 200,000 already broke an
    // oldest-arrival computed by spreading them into Math.min's arguments (a RangeError).
    const { pipeline, objects } = await start(
      streamConfig('tiny', { BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 60 } }),
    );
    const records = Array.from({ length: 200_000 }, () => Buffer.from('x'));

    // Act
    for (let start = 0; start < records.length; start += 10_000)
      await pipeline.accept(records.slice(start, start + 10_000));
    now += 60_000;
    await waitFor(
      'the object',
      () => objects.objects,
      (found) => found.length === 1,
    );

    // Assess
    expect(objects.objects[0]?.body.length).to.equal(200_000);
  });

  it('invokes the processor no sooner than its BufferIntervalInSeconds', async () => {
    const { pipeline, transform } = await start(
      streamConfig('clicks', {
        ProcessingConfiguration: lambdaProcessing({ BufferIntervalInSeconds: '30' }),
      }),
    );

    await pipeline.accept([Buffer.from('a')]);
    now += 29_999;
    await afterTicks();
    const before = transform.events.length;
    now += 1;

    await waitFor(
      'the invocation',
      () => transform.events,
      (events) => events.length === 1,
    );
    expect(before).to.equal(0);
  });

  it('leaves records whose invocation fails while stopping to the next start, not to the error prefix', async () => {
    let failInvocation: (result: InvokeResult) => void = () => undefined;
    const hanging = fakeTransformer(() => new Promise<InvokeResult>((resolve) => (failInvocation = resolve)));
    const config = streamConfig('clicks', { ProcessingConfiguration: lambdaProcessing() });
    const first = await start(config, hanging);
    await first.pipeline.accept([Buffer.from('in flight')]);
    await waitFor(
      'the invocation',
      () => hanging.events,
      (events) => events.length === 1,
    );

    const stopped = first.pipeline.stop();
    failInvocation({
      payload: { errorMessage: 'the function process was stopped' },
      functionError: 'Unhandled',
    });
    await stopped;
    const second = await start(config);

    await waitFor(
      'the record',
      () => second.objects.lines('raw/'),
      (lines) => lines.length === 1,
    );
    expect(first.objects.objects, 'nothing written while stopping').to.have.length(0);
    expect(second.objects.lines('raw/')).to.deep.equal(['IN FLIGHT']);
    expect(second.objects.under('errors/')).to.have.length(0);
  });

  it('keeps at most five invocations outstanding', async () => {
    const resolvers: ((result: InvokeResult) => void)[] = [];
    const slow = fakeTransformer(
      (event: TransformEvent) =>
        new Promise<InvokeResult>((resolve) => resolvers.push(() => resolve(upperCaseLines(event)))),
    );
    const { pipeline, objects } = await start(
      streamConfig('clicks', { ProcessingConfiguration: lambdaProcessing({ BufferSizeInMBs: '0.000001' }) }),
      slow,
    );

    await pipeline.accept(Array.from({ length: 8 }, (_, index) => Buffer.from(`r${index}`)));
    await waitFor(
      'five invocations',
      () => slow.events,
      (events) => events.length === 5,
    );
    await afterTicks();
    const outstanding = slow.events.length;
    for (const resolve of resolvers.splice(0)) resolve({ payload: undefined });

    await waitFor(
      'the other three',
      () => slow.events,
      (events) => events.length === 8,
    );
    for (const resolve of resolvers.splice(0)) resolve({ payload: undefined });
    await waitFor(
      'eight records',
      () => objects.lines('raw/'),
      (lines) => lines.length === 8,
    );
    expect(outstanding).to.equal(5);
  });
});
