import { expect } from 'chai';
import fc from 'fast-check';
import {
  fastSequenceNumbers,
  kinesaliteSequenceNumbers,
  type SequenceFields,
} from '../../src/emulators/kinesis/sequence-numbers';

/** A function's answer or its error message, so that both sides can be compared either way. */
const outcome = <T>(call: () => T): { value: T } | { error: string } => {
  try {
    return { value: call() };
  } catch (error) {
    return { error: (error as Error).message };
  }
};

describe("Kinesis sequence numbers on BigInt, against kinesalite's bignumber.js originals", () => {
  const original = kinesaliteSequenceNumbers();
  const fast = fastSequenceNumbers(original);

  // Times from 1970 to past kinesalite's own "Date too large" bound, shard and sequence indexes as puts make them.
  const milliseconds = fc.integer({ min: 0, max: 16_100_000_000 }).map((seconds) => seconds * 1000);
  const fields: fc.Arbitrary<SequenceFields> = fc.record(
    {
      shardCreateTime: milliseconds,
      shardIx: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      seqIx: fc.oneof(fc.nat(), fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String)),
      seqTime: milliseconds,
      byte1: fc.constantFrom('00', '0f', 'a1'),
    },
    { requiredKeys: ['shardCreateTime'] },
  );
  const decimal = fc.oneof(
    fc.bigInt({ min: 0n, max: 2n ** 200n }).map(String),
    fc.constantFrom('0', '1', String(2n ** 124n), String(2n ** 129n), String(2n ** 185n + 1n)),
  );

  it('encodes the same number from the same fields, version 2 as putRecords writes it', () => {
    fc.assert(
      fc.property(fields, (input) => {
        expect(outcome(() => fast.stringifySequence(input))).to.deep.equal(
          outcome(() => original.stringifySequence(input)),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('reads the same fields, or refuses with the same error, from any decimal string', () => {
    fc.assert(
      fc.property(decimal, (sequenceNumber) => {
        expect(outcome(() => fast.parseSequence(sequenceNumber))).to.deep.equal(
          outcome(() => original.parseSequence(sequenceNumber)),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('round-trips the numbers it writes and increments them as kinesalite does', () => {
    fc.assert(
      fc.property(fields, fc.option(milliseconds), (input, seqTime) => {
        const sequenceNumber = original.stringifySequence(input);
        expect(outcome(() => fast.parseSequence(sequenceNumber))).to.deep.equal(
          outcome(() => original.parseSequence(sequenceNumber)),
        );
        expect(outcome(() => fast.incrementSequence(sequenceNumber, seqTime))).to.deep.equal(
          outcome(() => original.incrementSequence(sequenceNumber, seqTime)),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('leaves versions 0 and 1, other versions and malformed input to kinesalite, answers and errors alike', () => {
    const cases: unknown[] = [
      { version: 0, shardCreateTime: 1_700_000_000_000, shardIx: 3, seqRand: 'abcdef0123456789' },
      { version: 1, shardCreateTime: 1_700_000_000_000, shardIx: 3, seqIx: 7, seqRand: 'abcdef01234567' },
      { version: 7, shardCreateTime: 0 },
      { shardCreateTime: 1_700_000_000_000, shardIx: -1 },
      { shardCreateTime: 1.5 },
    ];
    for (const input of cases) {
      const asFields = input as SequenceFields;
      const written = outcome(() => original.stringifySequence(asFields));
      expect(
        outcome(() => fast.stringifySequence(asFields)),
        JSON.stringify(input),
      ).to.deep.equal(written);
      if ('value' in written)
        expect(outcome(() => fast.parseSequence(written.value))).to.deep.equal(
          outcome(() => original.parseSequence(written.value)),
        );
    }
    for (const text of ['', 'abc', '-5', '1e40', ' 12', '0x1f'])
      expect(
        outcome(() => fast.parseSequence(text)),
        text,
      ).to.deep.equal(outcome(() => original.parseSequence(text)));
  });
});
