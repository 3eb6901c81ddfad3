import { expect } from 'chai';
import * as fc from 'fast-check';
import { percentile } from '../../src/statistics';

describe('statistics', () => {
  describe('percentile (nearest rank)', () => {
    it('is the smallest value with at least p % of the values at or below it', () => {
      const values = [15, 20, 35, 40, 50];
      expect(percentile(values, 50)).to.equal(35);
      expect(percentile(values, 99)).to.equal(50);
      expect(percentile(values, 1)).to.equal(15);
      expect(percentile([7], 99)).to.equal(7);
    });

    it('is one of the values, and never falls as p rises', () => {
      fc.assert(
        fc.property(
          fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1 }),
          fc.integer({ min: 1, max: 100 }),
          fc.integer({ min: 1, max: 100 }),
          (values, p, q) => {
            const [low, high] = p <= q ? [p, q] : [q, p];
            expect(values).to.include(percentile(values, low));
            expect(percentile(values, low)).to.be.at.most(percentile(values, high));
          },
        ),
      );
    });

    it('is NaN for no values, which a report prints as such', () => {
      expect(percentile([], 50)).to.be.NaN;
    });
  });
});
