import { clickEventSchema } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import { generateLoad } from '../../../tools/load-generator';
import { createShoppingSessions } from '../../../tools/shopping-sessions';

/** A deterministic random sequence (mulberry32), so that a session's shape is reproducible. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('shopping sessions', () => {
  const sessions = () =>
    createShoppingSessions({
      productIds: ['th-1', 'th-2', 'th-3'],
      concurrentSessions: 20,
      random: seeded(7),
      clock: () => 1_795_944_600_000,
    });

  it('makes clicks the shared schema accepts', () => {
    const generator = sessions();

    for (let index = 0; index < 2_000; index += 1) {
      const click = generator.next();
      expect(clickEventSchema.safeParse(click).success, JSON.stringify(click)).to.equal(true);
    }
  });

  it('walks each session from the shop to products, carts and purchases, with a few crawlers', () => {
    const generator = sessions();
    const clicks = Array.from({ length: 5_000 }, () => generator.next());
    const bySession = new Map<string, typeof clicks>();
    for (const click of clicks)
      bySession.set(click.sessionId, [...(bySession.get(click.sessionId) ?? []), click]);
    const types = new Set(clicks.map((click) => click.type));

    expect([...bySession.values()].every((session) => session[0]?.type === 'page_view')).to.equal(true);
    expect(types).to.have.all.keys('page_view', 'product_view', 'click', 'add_to_cart', 'purchase');
    const bots = clicks.filter((click) => click.userAgent?.includes('bot'));
    expect(bots.length).to.be.within(1, clicks.length * 0.2);
  });
});

describe('load generator', () => {
  it('sends rate x duration clicks in batches, and counts what was accepted and what failed', async () => {
    let now = 0;
    let made = 0;
    const batches: number[] = [];
    const report = await generateLoad({
      rate: 1_000,
      durationMs: 2_000,
      batchSize: 300,
      concurrency: 2,
      nextClick: () => ({ eventId: String(made++) }) as never,
      send: async (clicks) => {
        batches.push(clicks.length);
        return { accepted: clicks.length - 1, failed: 1 };
      },
      clock: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });

    expect(report).to.include({ sent: 2_000, accepted: 2_000 - batches.length, failed: batches.length });
    expect(batches.every((size) => size <= 300)).to.equal(true);
    expect(batches.reduce((sum, size) => sum + size, 0)).to.equal(2_000);
    expect(report.latenciesMs).to.have.length(batches.length);
  });

  it('counts a call that throws as all its clicks failed', async () => {
    let now = 0;
    const report = await generateLoad({
      rate: 100,
      durationMs: 1_000,
      batchSize: 100,
      concurrency: 1,
      nextClick: () => ({}) as never,
      send: () => Promise.reject(new Error('connection refused')),
      clock: () => now,
      sleep: async (ms) => {
        now += ms;
      },
    });

    expect(report).to.include({ sent: 100, accepted: 0, failed: 100 });
  });
});
