import type { TelemetryReading } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import fc from 'fast-check';
import { createWindowTallies } from '../../../src/core/telemetry-window';

const WINDOW = { start: '2026-12-05T07:00:00Z', end: '2026-12-05T07:01:00Z' };
let tokens = 0;
const newTallies = () => createWindowTallies({ newToken: () => `t${++tokens}` });
/** What Lambda does with the state between invocations: it travels as JSON. */
const overTheWire = (state: unknown) => JSON.parse(JSON.stringify(state));

const reading = (deviceId: string, readingId: string, temperatureC: number): TelemetryReading => ({
  deviceId,
  readingId,
  temperatureC,
  recordedAt: '2026-12-05T07:00:10Z',
});

describe('window tallies (the 1-minute window per device)', () => {
  it('sums, counts, and keeps min and max per device across invocations', () => {
    const tallies = newTallies();
    const first = tallies.accumulate({}, [reading('a', 'r1', 20), reading('b', 'r1', 30)]);
    const second = tallies.accumulate(overTheWire(first.state), [
      reading('a', 'r2', 22),
      reading('a', 'r3', 18),
    ]);

    const parts = tallies.parts(overTheWire(second.state), WINDOW);

    expect(parts).to.deep.equal([
      { deviceId: 'a', ...windowOf(), partId: 'r1+3', sum: 60, count: 3, min: 18, max: 22 },
      { deviceId: 'b', ...windowOf(), partId: 'r1+1', sum: 30, count: 1, min: 30, max: 30 },
    ]);
  });

  it('counts a resent reading id once, in the same batch or a later one', () => {
    const tallies = newTallies();
    const first = tallies.accumulate({}, [reading('a', 'r1', 20), reading('a', 'r1', 20)]);
    const second = tallies.accumulate(overTheWire(first.state), [
      reading('a', 'r1', 20),
      reading('a', 'r2', 24),
    ]);

    expect([first.duplicates, second.duplicates]).to.deep.equal([1, 1]);
    expect(tallies.parts(second.state, WINDOW)[0]).to.include({ count: 2, sum: 44 });
  });

  it('goes on from the state Lambda passes back after a failed invocation, not from its own memory', () => {
    const tallies = newTallies();
    const first = tallies.accumulate({}, [reading('a', 'r1', 20)]);
    const before = overTheWire(first.state);
    tallies.accumulate(before, [reading('a', 'r2', 30)]); // this invocation "fails": its state is dropped

    const retried = tallies.accumulate(before, [reading('a', 'r2', 30)]);

    expect(retried.counted).to.equal(1);
    expect(tallies.parts(retried.state, WINDOW)[0]).to.include({ count: 2, sum: 50 });
  });

  it('counts nothing twice whatever duplicated and shuffled delivery, retries and containers (property)', () => {
    const readingsArb = fc
      .uniqueArray(
        fc.record({
          deviceId: fc.constantFrom('a', 'b', 'c'),
          readingId: fc.stringMatching(/^[a-z0-9]{1,6}$/),
          temperatureC: fc.integer({ min: -40, max: 80 }),
        }),
        { selector: (r) => `${r.deviceId}/${r.readingId}`, minLength: 1, maxLength: 60 },
      )
      .map((rows) => rows.map((row) => reading(row.deviceId, row.readingId, row.temperatureC)));
    const delivery = readingsArb.chain((unique) =>
      fc.record({
        unique: fc.constant(unique),
        // Every reading at least once, some again, in any order.
        sent: fc.array(fc.nat({ max: unique.length - 1 }), { maxLength: unique.length }).chain((extra) =>
          fc.shuffledSubarray([...unique, ...extra.map((i) => unique[i] as TelemetryReading)], {
            minLength: unique.length + extra.length,
          }),
        ),
        batchSize: fc.integer({ min: 1, max: 10 }),
        // Per batch: whether the invocation fails once first (its state dropped), and whether it runs in
        // another container (no memory of the last state).
        faults: fc.array(fc.record({ failsFirst: fc.boolean(), otherContainer: fc.boolean() }), {
          maxLength: 70,
        }),
      }),
    );

    fc.assert(
      fc.property(delivery, ({ unique, sent, batchSize, faults }) => {
        let container = newTallies();
        let state: unknown = {};
        for (let start = 0, batch = 0; start < sent.length; start += batchSize, batch += 1) {
          const records = sent.slice(start, start + batchSize);
          const fault = faults[batch];
          if (fault?.otherContainer) container = newTallies();
          if (fault?.failsFirst) container.accumulate(overTheWire(state), records);
          state = overTheWire(container.accumulate(overTheWire(state), records).state);
        }
        const parts = container.parts(state, WINDOW);

        for (const deviceId of ['a', 'b', 'c']) {
          const own = unique.filter((r) => r.deviceId === deviceId).map((r) => r.temperatureC);
          const part = parts.find((p) => p.deviceId === deviceId);
          if (own.length === 0) {
            expect(part).to.equal(undefined);
            continue;
          }
          expect(part).to.include({
            count: own.length,
            sum: own.reduce((a, b) => a + b, 0),
            min: Math.min(...own),
            max: Math.max(...own),
          });
        }
      }),
      { numRuns: 150 },
    );
  });
});

function windowOf() {
  return { windowStart: WINDOW.start, windowEnd: WINDOW.end };
}
