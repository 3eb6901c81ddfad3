import { expect } from 'chai';
import { batchesOf } from '../../../src/emulators/step-functions/item-batcher';
import { parseObject } from '../../../src/emulators/step-functions/item-reader';
import { emptyCounts, exceedsTolerance, runChildren } from '../../../src/emulators/step-functions/map-run';

describe('step functions: distributed Map rules', () => {
  describe('exceedsTolerance', () => {
    it('tolerates nothing without either field', () => {
      expect(exceedsTolerance(0, 10, {})).to.equal(false);
      expect(exceedsTolerance(1, 10, {})).to.equal(true);
    });

    it('tolerates up to the count and up to the percentage, and fails when either is exceeded', () => {
      expect(exceedsTolerance(2, 10, { count: 2 })).to.equal(false);
      expect(exceedsTolerance(3, 10, { count: 2 })).to.equal(true);
      expect(exceedsTolerance(2, 10, { percentage: 20 })).to.equal(false);
      expect(exceedsTolerance(3, 10, { percentage: 20 })).to.equal(true);
      expect(exceedsTolerance(3, 10, { percentage: 50, count: 2 })).to.equal(true);
      expect(exceedsTolerance(3, 10, { percentage: 20, count: 5 })).to.equal(true);
    });
  });

  describe('batchesOf', () => {
    it('puts an item larger than MaxInputBytesPerBatch alone in its batch, and loses nothing', () => {
      const big = 'x'.repeat(50);

      const batches = batchesOf(['a', big, 'b', 'c'], { maxBytes: 20 });

      expect(batches).to.deep.equal([{ Items: ['a'] }, { Items: [big] }, { Items: ['b', 'c'] }]);
    });

    it('counts BatchInput in the bytes of each batch', () => {
      // {"BatchInput":{"job":"j"},"Items":["aaaa","bbbb"]} is 50 bytes; without BatchInput all three would fit.
      const batches = batchesOf(['aaaa', 'bbbb', 'cccc'], { maxBytes: 50, batchInput: { job: 'j' } });

      expect(batches).to.deep.equal([
        { BatchInput: { job: 'j' }, Items: ['aaaa', 'bbbb'] },
        { BatchInput: { job: 'j' }, Items: ['cccc'] },
      ]);
      expect(batchesOf(['aaaa', 'bbbb', 'cccc'], { maxBytes: 50 })).to.have.length(1);
    });
  });

  describe('parseObject', () => {
    it('refuses a JSON-lines line that is not JSON, naming the line', () => {
      expect(() => parseObject('{"a":1}\n{oops\n', { InputType: 'JSONL' }, 's3://b/k')).to.throw(/line 2/);
    });

    it('refuses a CSV delimiter AWS does not offer', () => {
      expect(() => parseObject('a;b', { InputType: 'CSV', CSVDelimiter: 'COLON' }, 's3://b/k')).to.throw(
        /CSVDelimiter/,
      );
    });
  });

  describe('runChildren', () => {
    it('aborts the children still running once the threshold is exceeded, and starts no more', async () => {
      const aborted: number[] = [];
      const started: number[] = [];
      const counts = { items: emptyCounts(4), executions: emptyCounts(4) };

      const { outcomes, exceeded } = await runChildren({
        children: [0, 1, 2, 3].map((input) => ({ input, itemCount: 1 })),
        maxConcurrency: 2,
        tolerance: {},
        stopped: () => false,
        counts,
        startChild: (_input, index) => {
          started.push(index);
          let abort = () => undefined;
          const finished = new Promise<{ status: 'FAILED' | 'ABORTED' }>((resolve) => {
            if (index === 0) setTimeout(() => resolve({ status: 'FAILED' }), 5);
            abort = () => {
              aborted.push(index);
              resolve({ status: 'ABORTED' });
            };
          });
          return { finished, abort };
        },
      });

      expect(exceeded).to.equal(true);
      expect(started).to.deep.equal([0, 1]);
      expect(aborted).to.deep.equal([1]);
      expect(outcomes.map((outcome) => outcome?.status)).to.deep.equal([
        'FAILED',
        'ABORTED',
        undefined,
        undefined,
      ]);
      expect(counts.items).to.include({ failed: 1, aborted: 1, pending: 2, running: 0 });
    });
  });
});
