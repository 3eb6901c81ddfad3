import { expect } from 'chai';
import { createStartTimings, formatTimings } from '../../../src/cloud/phases/timings';

describe('start-up timings', () => {
  it('records each step from the start, overlapping steps included, and what each found', async () => {
    // Prepare
    let clock = 1_000;
    const timings = createStartTimings(() => clock);
    let finishPackaging: () => void = () => undefined;

    // Act: packaging runs while an emulator starts and stops
    const packaging = timings.measure('package api', (note) => {
      note('unchanged, reused');
      return new Promise<void>((resolve) => {
        finishPackaging = resolve;
      });
    });
    clock = 1_200;
    await timings.measure('emulator s3', async () => {
      clock = 1_500;
    });
    clock = 1_700;
    finishPackaging();
    await packaging;

    // Assess
    expect(timings.steps).to.deep.equal([
      { name: 'package api', startMs: 0, endMs: 700, note: 'unchanged, reused' },
      { name: 'emulator s3', startMs: 200, endMs: 500 },
    ]);
  });

  it('records a step that fails, and lets its error through', async () => {
    let clock = 0;
    const timings = createStartTimings(() => clock);

    const error = await timings
      .measure('package ops', async () => {
        clock += 50;
        throw new Error('packaging ops failed');
      })
      .catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(Error).with.property('message', 'packaging ops failed');
    expect(timings.steps[0]).to.include({ name: 'package ops', startMs: 0, endMs: 50 });
  });

  it('prints the steps in the order they started, on one time axis, with the load average', () => {
    const table = formatTimings({
      steps: [
        { name: 'offline api', startMs: 5_000, endMs: 10_000 },
        { name: 'package api', startMs: 0, endMs: 5_000, note: 'packaged' },
      ],
      loadAtStart: [0.5, 0.25, 0.125],
    });

    const lines = table.split('\n');
    expect(lines[1]).to.match(/^package api \(packaged\)\s+0\.0 s\s+5\.0 s\s+5\.0 s\s+\|#{20} {20}\|$/);
    expect(lines[2]).to.match(/^offline api\s+5\.0 s\s+10\.0 s\s+5\.0 s\s+\| {20}#{20}\|$/);
    expect(lines[3]).to.match(/^ready after 10\.0 s; load average at start 0\.50 0\.25 0\.13 \(\d+ cores\)$/);
  });
});
