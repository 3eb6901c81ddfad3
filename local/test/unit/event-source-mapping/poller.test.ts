import { expect } from 'chai';
import {
  createPace,
  createPoller,
  type PollVerdict,
} from '../../../src/triggers/event-source-mapping/poller';
import { realSleep } from '../../../src/triggers/event-source-mapping/scheduling';
import { FakeClock } from './fakes';

const PACE = { fastestMs: 5, slowestMs: 1_000, quietAfterMs: 1_000 };
const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };

describe('event source mapping poll pace', () => {
  it('pauses the shortest time for a second after records flowed, then twice as long each quiet poll, up to the longest', () => {
    // Prepare
    const clock = new FakeClock();
    const pace = createPace(PACE, clock);
    const pauses: number[] = [];

    // Act: quiet polls for 5 s
    const quietUntil = clock.now() + 5_000;
    while (clock.now() < quietUntil) {
      const pause = pace.quiet();
      pauses.push(pause);
      clock.advance(pause);
    }

    // Assess
    const quick = pauses.filter((pause) => pause === 5).length;
    expect(quick).to.equal(200);
    expect(pauses.slice(quick, quick + 8)).to.deep.equal([10, 20, 40, 80, 160, 320, 640, 1_000]);
    expect(pauses.at(-1)).to.equal(1_000);
  });

  it('returns to the shortest pause as soon as a poll finds records', () => {
    const clock = new FakeClock();
    const pace = createPace(PACE, clock);
    clock.advance(10_000);
    expect(pace.quiet()).to.equal(10);
    expect(pace.quiet()).to.equal(20);

    pace.busy();

    expect(pace.quiet()).to.equal(5);
  });

  it('runs the loop at that pace: a quiet source slows down, and speeds up when a poll is busy', async () => {
    // Prepare: quiet for 1.2 s of fake time, then one busy poll, then quiet again
    const clock = new FakeClock();
    const verdicts: PollVerdict[] = [];
    let polls = 0;
    const poller = createPoller({
      source: 'shard',
      enabled: true,
      pollOnce: async () => {
        polls += 1;
        return polls === 300 ? 'busy' : polls >= 310 ? 'finished' : 'idle';
      },
      verdict: (verdict: PollVerdict) => {
        verdicts.push(verdict);
        return verdict;
      },
      pace: PACE,
      sleep: clock.sleep,
      clock,
      logger: silent,
      context: {},
    });

    // Act
    poller.start();
    while (!verdicts.includes('finished')) await new Promise((resolve) => setImmediate(resolve));
    await poller.stop();

    // Assess: 200 quick pauses (1 s), then doubling, then quick again after the busy poll
    expect(clock.sleeps.slice(198, 206)).to.deep.equal([5, 5, 10, 20, 40, 80, 160, 320]);
    expect(Math.max(...clock.sleeps)).to.equal(1_000);
    expect(clock.sleeps.slice(-9)).to.deep.equal(Array(9).fill(5));
  });

  it('ends a quiet pause when work falls due (a tumbling window closing), however slow the pace has become', async () => {
    // Prepare: a quiet source whose window ends 2,500 ms after the start
    const clock = new FakeClock();
    const windowEnd = clock.now() + 2_500;
    let polls = 0;
    const poller = createPoller({
      source: 'shard',
      enabled: true,
      pollOnce: async () => ++polls,
      verdict: (): PollVerdict => (clock.now() >= windowEnd + 3_000 ? 'finished' : 'idle'),
      pace: { fastestMs: 5, slowestMs: 1_000, quietAfterMs: 0 },
      dueAt: () => (clock.now() < windowEnd ? windowEnd : undefined),
      sleep: clock.sleep,
      clock,
      logger: silent,
      context: {},
    });

    // Act
    poller.start();
    while (clock.now() < windowEnd + 3_000) await new Promise((resolve) => setImmediate(resolve));
    await poller.stop();

    // Assess: a poll exactly at the window's end, not up to a second later
    const pollTimes = clock.sleeps.map((_, index) =>
      clock.sleeps.slice(0, index + 1).reduce((a, b) => a + b, 0),
    );
    expect(pollTimes).to.include(2_500);
    expect(Math.max(...clock.sleeps)).to.equal(1_000);
  });

  it('polls a woken quiet source once more, no sooner than wokenMs after the poll before, at the same pace', async () => {
    // Prepare: a quiet source whose pause is a minute, on the real clock
    const pollTimes: number[] = [];
    const poller = createPoller({
      source: 'shard',
      enabled: true,
      pollOnce: async () => pollTimes.push(Date.now()),
      verdict: (): PollVerdict => 'idle',
      pace: { fastestMs: 60_000, slowestMs: 60_000, quietAfterMs: 0, wokenMs: 50 },
      sleep: realSleep,
      logger: silent,
      context: {},
    });
    const until = async (condition: () => boolean) => {
      while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
    };

    // Act: woken (twice) during the first pause
    poller.start();
    await until(() => pollTimes.length === 1);
    poller.wake();
    poller.wake();
    await until(() => pollTimes.length === 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await poller.stop();

    // Assess: one more poll, 50 ms or more after the first; the pause after it is the minute again
    const [first = 0, second = 0] = pollTimes;
    expect(pollTimes).to.have.length(2);
    expect(second - first).to.be.at.least(49);
  });

  it('cuts the next quiet pause short when woken during a poll, whose read may predate the wake', async () => {
    // Prepare: the first poll is woken while it runs
    const pollTimes: number[] = [];
    let poller: ReturnType<typeof createPoller<number>> | undefined;
    poller = createPoller({
      source: 'shard',
      enabled: true,
      pollOnce: async () => {
        pollTimes.push(Date.now());
        if (pollTimes.length === 1) poller?.wake();
        return pollTimes.length;
      },
      verdict: (): PollVerdict => 'idle',
      pace: { fastestMs: 60_000, slowestMs: 60_000, quietAfterMs: 0, wokenMs: 50 },
      sleep: realSleep,
      logger: silent,
      context: {},
    });

    // Act
    poller.start();
    while (pollTimes.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await poller.stop();

    // Assess: a second poll 50 ms or more after the first, not a minute later, and no third
    const [first = 0, second = 0] = pollTimes;
    expect(pollTimes).to.have.length(2);
    expect(second - first).to.be.at.least(49);
  });

  it('keeps a fixed pause when given a number (queues, whose receive waits itself)', async () => {
    const clock = new FakeClock();
    let polls = 0;
    const poller = createPoller({
      source: 'queue',
      enabled: true,
      pollOnce: async () => ++polls,
      verdict: (count: number): PollVerdict => (count >= 20 ? 'finished' : 'idle'),
      pace: 1_000,
      sleep: clock.sleep,
      clock,
      logger: silent,
      context: {},
    });

    poller.start();
    while (polls < 20) await new Promise((resolve) => setImmediate(resolve));
    await poller.stop();

    expect(clock.sleeps).to.deep.equal(Array(19).fill(1_000));
  });
});
