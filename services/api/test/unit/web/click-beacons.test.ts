import { randomUUID } from 'node:crypto';
import {
  clickBeaconSchema,
  MAX_BEACON_BYTES,
  MAX_CLICKS_PER_BEACON,
} from '@serverless-patterns/shared/schemas/api';
import type { ClickEvent } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import { exampleClickEvent } from '../../../../../shared/test/unit/schema-examples';
import {
  BEACON_LIMITS,
  beaconsOf,
  type ClickBatcherOptions,
  createClickBatcher,
} from '../../../web/src/click-beacons';

/** A click of the shop with its own id; `page` pads it when a test needs large ones. */
const click = (page = '/shop'): ClickEvent => exampleClickEvent({ eventId: randomUUID(), page });

/** Timers that fire when the test says, and remember how long each was set for. */
function manualTimers() {
  const pending = new Map<number, { callback: () => void; ms: number }>();
  let next = 0;
  return {
    set(callback: () => void, ms: number) {
      next += 1;
      pending.set(next, { callback, ms });
      return next;
    },
    clear(handle: unknown) {
      pending.delete(handle as number);
    },
    delays: () => [...pending.values()].map(({ ms }) => ms),
    fire() {
      const due = [...pending.values()];
      pending.clear();
      for (const { callback } of due) callback();
    },
  };
}

/** A batcher whose beacons are recorded (their clicks), with the browser's answer the test sets. */
function batcher(options: Partial<ClickBatcherOptions> & { accept?: () => boolean } = {}) {
  const timers = manualTimers();
  const beacons: ClickEvent[][] = [];
  let leave: () => void = () => undefined;
  const accept = options.accept ?? (() => true);
  const subject = createClickBatcher({
    maxClicks: 3,
    maxDelayMs: 5_000,
    maxWaiting: 10,
    timers,
    onLeave: (flush) => {
      leave = flush;
    },
    send: (body) => {
      if (!accept()) return false;
      beacons.push(clickBeaconSchema.parse(JSON.parse(body)).clicks);
      return true;
    },
    ...options,
  });
  return { subject, timers, beacons, leave: () => leave() };
}

describe('the shop’s click beacons (click-beacons.ts)', () => {
  it('waits until maxClicks are queued, then sends them in one beacon, in order', () => {
    const { subject, beacons } = batcher();
    const clicks = [click('/shop'), click('/shop/th-aria-2'), click('/shop/th-aria-2')];

    subject.add(clicks[0] as ClickEvent);
    subject.add(clicks[1] as ClickEvent);
    expect(beacons).to.deep.equal([]);
    subject.add(clicks[2] as ClickEvent);

    expect(beacons).to.deep.equal([clicks]);
    expect(subject.waiting()).to.equal(0);
  });

  it('sends what waits maxDelayMs after the first click, however few, with one timer for the batch', () => {
    const { subject, timers, beacons } = batcher();
    const first = click();
    const second = click();

    subject.add(first);
    subject.add(second);
    expect(timers.delays()).to.deep.equal([5_000]);
    timers.fire();

    expect(beacons).to.deep.equal([[first, second]]);
    expect(timers.delays()).to.deep.equal([]);
  });

  it('sends what waits when the person leaves the page, and nothing when nothing waits', () => {
    const { subject, timers, beacons, leave } = batcher();
    leave();
    expect(beacons).to.deep.equal([]);
    const added = click('/shop/th-dial');

    subject.add(added);
    leave();

    expect(beacons).to.deep.equal([[added]]);
    // The batch's timer went with it: nothing is sent twice.
    expect(timers.delays()).to.deep.equal([]);
  });

  it('keeps the clicks the browser refused and sends them with the next flush', () => {
    let browserTakes = false;
    const { subject, timers, beacons, leave } = batcher({ accept: () => browserTakes });
    const refused = [click('/a'), click('/b')];
    for (const added of refused) subject.add(added);

    leave();
    expect(subject.waiting()).to.equal(2);
    expect(timers.delays(), 'tried again later').to.deep.equal([5_000]);
    browserTakes = true;
    timers.fire();

    expect(beacons).to.deep.equal([refused]);
    expect(subject.waiting()).to.equal(0);
  });

  it('gives up the oldest clicks past maxWaiting while the browser refuses every beacon', () => {
    const { subject } = batcher({ accept: () => false, maxClicks: 100, maxWaiting: 4 });
    for (let index = 0; index < 6; index += 1) subject.add(click(`/page-${index}`));

    expect(subject.waiting()).to.equal(4);
    expect(subject.flush()).to.equal(0);
  });

  it('splits a large queue into beacons the route takes: at most 100 clicks and 64 KiB each', () => {
    const many = Array.from({ length: 250 }, () => click());
    const large = Array.from({ length: 40 }, () => click(`/shop/${'x'.repeat(1_900)}`));

    const byCount = beaconsOf(many, BEACON_LIMITS).beacons;
    const bySize = beaconsOf(large, BEACON_LIMITS).beacons;

    expect(byCount.map((beacon) => beacon.clicks.length)).to.deep.equal([100, 100, 50]);
    expect(bySize.length).to.be.greaterThan(1);
    for (const beacon of [...byCount, ...bySize]) {
      expect(Buffer.byteLength(beacon.body)).to.be.at.most(MAX_BEACON_BYTES);
      expect(clickBeaconSchema.parse(JSON.parse(beacon.body)).clicks).to.deep.equal(beacon.clicks);
    }
    expect(bySize.flatMap((beacon) => beacon.clicks)).to.deep.equal(large);
  });

  it('counts bytes, not characters: a page with non-ASCII text fills a beacon sooner', () => {
    const accented = Array.from({ length: 30 }, () => click(`/shop/${'é'.repeat(1_500)}`));

    const { beacons } = beaconsOf(accented, BEACON_LIMITS);

    for (const beacon of beacons) expect(Buffer.byteLength(beacon.body)).to.be.at.most(MAX_BEACON_BYTES);
    expect(beacons.flatMap((beacon) => beacon.clicks)).to.have.length(30);
  });

  it('leaves out a click too large for any beacon, which the route would refuse', () => {
    const huge = { ...click(), page: `/${'x'.repeat(MAX_BEACON_BYTES)}` };
    const fine = click();

    const { beacons, oversized } = beaconsOf([huge, fine], BEACON_LIMITS);

    expect(oversized).to.deep.equal([huge]);
    expect(beacons.map((beacon) => beacon.clicks)).to.deep.equal([[fine]]);
  });

  it('holds the limits POST /clicks holds (shared/src/schemas/api/clicks.ts)', () => {
    expect(BEACON_LIMITS).to.deep.equal({ maxClicks: MAX_CLICKS_PER_BEACON, maxBytes: MAX_BEACON_BYTES });
  });
});
