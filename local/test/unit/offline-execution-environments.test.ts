import { expect } from 'chai';
import {
  concurrencyFrom,
  type ExecutionEnvironment,
  ExecutionEnvironmentPool,
} from '../../src/cloud/offline-fixes/execution-environments';

/** An environment whose invocations end when the test says so. */
class FakeEnvironment implements ExecutionEnvironment {
  static started: FakeEnvironment[] = [];
  readonly id = FakeEnvironment.started.length + 1;
  events: unknown[] = [];
  shutDown = false;
  busy = 0;
  maxBusy = 0;
  #event: unknown;
  #pending: { event: unknown; finish: (result: unknown) => void; fail: (error: Error) => void }[] = [];

  constructor() {
    FakeEnvironment.started.push(this);
  }

  setEvent(event: unknown) {
    this.#event = event;
  }

  setClientContext() {}

  runHandler(): Promise<unknown> {
    if (this.shutDown) return Promise.reject(new Error(`environment ${this.id} was shut down`));
    this.busy += 1;
    this.maxBusy = Math.max(this.maxBusy, this.busy);
    const event = this.#event;
    this.events.push(event);
    return new Promise((resolve, reject) => {
      this.#pending.push({
        event,
        finish: (result) => {
          this.busy -= 1;
          resolve(result);
        },
        fail: (error) => {
          this.busy -= 1;
          reject(error);
        },
      });
    });
  }

  /** Ends the oldest running invocation with `{ answeredBy, event }`. */
  finish(): void {
    const pending = this.#pending.shift();
    pending?.finish({ answeredBy: this.id, event: pending.event });
  }

  fail(error: Error): void {
    this.#pending.shift()?.fail(error);
  }

  async cleanup(): Promise<void> {
    this.shutDown = true;
  }
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

function pool(
  options: { concurrency?: number; reuse?: boolean; idleTimeoutMs?: number; now?: () => number } = {},
) {
  return new ExecutionEnvironmentPool<{ handler: string }>({
    create: () => new FakeEnvironment(),
    concurrency: options.concurrency ?? 2,
    idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
    reuse: options.reuse ?? true,
    ...(options.now ? { now: options.now } : {}),
  });
}

function invoke(
  environments: ExecutionEnvironmentPool<{ handler: string }>,
  event: unknown,
  key = 'getDevice',
) {
  const invocation = environments.get(key, { handler: 'src/handlers/get-device.handler' });
  invocation.setEvent(event);
  return invocation.runHandler();
}

describe('execution environments (serverless-offline pool)', () => {
  beforeEach(() => {
    FakeEnvironment.started = [];
  });

  it('reuses a warm environment for invocations that follow one another', async () => {
    // Prepare
    const environments = pool();

    // Act
    for (const event of ['a', 'b', 'c']) {
      const result = invoke(environments, event);
      await settle();
      FakeEnvironment.started.at(-1)?.finish();
      await result;
    }

    // Assess
    expect(FakeEnvironment.started).to.have.length(1);
    expect(FakeEnvironment.started[0]?.events).to.deep.equal(['a', 'b', 'c']);
  });

  it('runs at most `concurrency` environments per function, one invocation each, the others waiting in order', async () => {
    // Prepare
    const environments = pool({ concurrency: 2 });

    // Act: five at once
    const results = ['1', '2', '3', '4', '5'].map((event) => invoke(environments, event));
    await settle();

    // Assess: two started, three waiting, nobody runs two at once
    expect(FakeEnvironment.started).to.have.length(2);
    expect(environments.waiting('getDevice')).to.equal(3);
    const [first, second] = FakeEnvironment.started as [FakeEnvironment, FakeEnvironment];
    first.finish();
    await settle();
    second.finish();
    await settle();
    first.finish();
    await settle();
    second.finish();
    await settle();
    first.finish();
    const answers = (await Promise.all(results)) as { answeredBy: number; event: string }[];
    expect(answers.map(({ event }) => event)).to.deep.equal(['1', '2', '3', '4', '5']);
    // The waiting ones ran in arrival order, each on the environment freed first.
    expect(first.events).to.deep.equal(['1', '3', '5']);
    expect(second.events).to.deep.equal(['2', '4']);
    expect(FakeEnvironment.started.map(({ maxBusy }) => maxBusy)).to.deep.equal([1, 1]);
    expect(FakeEnvironment.started).to.have.length(2);
    expect(environments.waiting('getDevice')).to.equal(0);
  });

  it('keeps the functions apart: one function waiting does not hold up another', async () => {
    const environments = pool({ concurrency: 1 });
    const busy = invoke(environments, 'x', 'getDevice');
    const queued = invoke(environments, 'y', 'getDevice');
    const other = invoke(environments, 'z', 'authorizePeople');
    await settle();

    expect(FakeEnvironment.started).to.have.length(2);
    FakeEnvironment.started[1]?.finish();
    expect(await other).to.deep.include({ event: 'z' });
    FakeEnvironment.started[0]?.finish();
    await busy;
    await settle();
    FakeEnvironment.started[0]?.finish();
    expect(await queued).to.deep.include({ event: 'y', answeredBy: 1 });
  });

  it('hands a failed invocation its error and keeps the environment, as Lambda keeps it after a handler error', async () => {
    const environments = pool({ concurrency: 1 });
    const failing = invoke(environments, 'bad');
    await settle();
    FakeEnvironment.started[0]?.fail(new Error('Unauthorized'));
    await failing.then(
      () => expect.fail('should have failed'),
      (error: Error) => expect(error.message).to.equal('Unauthorized'),
    );

    const next = invoke(environments, 'good');
    await settle();
    FakeEnvironment.started[0]?.finish();
    expect(await next).to.deep.equal({ answeredBy: 1, event: 'good' });
  });

  it('shuts down environments idle for longer than the idle time, and starts a cold one when needed again', async () => {
    let now = 0;
    const environments = pool({ idleTimeoutMs: 60_000, now: () => now });
    const first = invoke(environments, 'a');
    await settle();
    FakeEnvironment.started[0]?.finish();
    await first;

    now = 59_999;
    await environments.shutDownIdle();
    expect(FakeEnvironment.started[0]?.shutDown).to.equal(false);
    now = 60_000;
    await environments.shutDownIdle();
    expect(FakeEnvironment.started[0]?.shutDown).to.equal(true);
    expect(environments.size('getDevice')).to.equal(0);

    const second = invoke(environments, 'b');
    await settle();
    FakeEnvironment.started[1]?.finish();
    expect(await second).to.deep.equal({ answeredBy: 2, event: 'b' });
  });

  it('with --reloadHandler, gives every invocation a fresh environment and shuts the old one down', async () => {
    const environments = pool({ concurrency: 1, reuse: false });
    const first = invoke(environments, 'a');
    const second = invoke(environments, 'b');
    await settle();
    FakeEnvironment.started[0]?.finish();
    await first;
    await settle();
    FakeEnvironment.started[1]?.finish();
    await second;

    expect(FakeEnvironment.started.map(({ events }) => events)).to.deep.equal([['a'], ['b']]);
    expect(FakeEnvironment.started.map(({ shutDown }) => shutDown)).to.deep.equal([true, true]);
    expect(environments.size('getDevice')).to.equal(0);
  });

  it('on cleanup (code rebuilt), shuts idle environments down at once and busy ones when they finish; waiting invocations get new ones', async () => {
    // Prepare: one idle, one busy with one waiting behind it (concurrency 2)
    const environments = pool({ concurrency: 2 });
    const a = invoke(environments, 'a');
    const b = invoke(environments, 'b');
    await settle();
    FakeEnvironment.started[0]?.finish();
    await a;
    const c = invoke(environments, 'c'); // takes the idle environment 1
    const d = invoke(environments, 'd'); // waits
    await settle();
    expect(environments.waiting('getDevice')).to.equal(1);

    // Act
    await environments.cleanup();
    FakeEnvironment.started[1]?.finish(); // b ends on the old code

    // Assess
    await b;
    await settle();
    expect(FakeEnvironment.started[1]?.shutDown).to.equal(true);
    expect(FakeEnvironment.started).to.have.length(3);
    FakeEnvironment.started[2]?.finish();
    expect(await d).to.deep.equal({ answeredBy: 3, event: 'd' });
    FakeEnvironment.started[0]?.finish();
    await c;
    expect(FakeEnvironment.started[0]?.shutDown).to.equal(true);
    expect(environments.size('getDevice')).to.equal(1);
  });

  it('reads LOCAL_LAMBDA_CONCURRENCY, defaulting to two per core', () => {
    expect(concurrencyFrom(undefined, 2)).to.equal(4);
    expect(concurrencyFrom('', 1)).to.equal(2);
    expect(concurrencyFrom('16', 2)).to.equal(16);
    expect(() => concurrencyFrom('0', 2)).to.throw(RangeError, 'LOCAL_LAMBDA_CONCURRENCY');
    expect(() => concurrencyFrom('many', 2)).to.throw(RangeError, 'LOCAL_LAMBDA_CONCURRENCY');
  });
});
