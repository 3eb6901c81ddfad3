import { expect } from 'chai';
import fc from 'fast-check';
import { fastHashKeys, kinesaliteHashKeys } from '../../src/emulators/kinesis/hash-keys';

describe("Kinesis hash keys on BigInt, against kinesalite's bignumber.js original", () => {
  const original = kinesaliteHashKeys();
  const fast = fastHashKeys(original);
  // Bounds as kinesalite stores shard ranges (decimal strings over [0, 2^128 - 1]), the edges included.
  const bound = fc.oneof(
    fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map(String),
    fc.constantFrom('0', String(2n ** 127n), String(2n ** 127n - 1n), String(2n ** 128n - 1n)),
  );

  it('places every partition key on the same side of every bound', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 256 }), bound, (partitionKey, decimal) => {
        expect(fast.partitionKeyToHashKey(partitionKey).comparedTo(decimal)).to.equal(
          original.partitionKeyToHashKey(partitionKey).comparedTo(decimal),
        );
      }),
      { numRuns: 2_000 },
    );
  });

  it('finds a key equal to its own hash, and leaves what is not a decimal string to bignumber.js', () => {
    const partitionKey = 'thermostat-42';
    const own = original.partitionKeyToHashKey(partitionKey) as unknown as { toFixed(): string };

    expect(fast.partitionKeyToHashKey(partitionKey).comparedTo(own.toFixed())).to.equal(0);
    for (const other of [0, 2 ** 70, 'ff', '', '-1']) {
      expect(fast.partitionKeyToHashKey(partitionKey).comparedTo(other)).to.equal(
        original.partitionKeyToHashKey(partitionKey).comparedTo(other),
      );
    }
  });

  it('gives a key seen again, and keys past the 10,000 it remembers, the same places', () => {
    const bounds = ['0', String(2n ** 127n), String(2n ** 128n - 1n), '98765432109876543210987654321'];
    const keys = Array.from({ length: 12_000 }, (_, index) => `device-${index}`);

    for (const partitionKey of [...keys, ...keys.slice(0, 500), ...keys.slice(-500)])
      for (const decimal of bounds)
        expect(fast.partitionKeyToHashKey(partitionKey).comparedTo(decimal)).to.equal(
          original.partitionKeyToHashKey(partitionKey).comparedTo(decimal),
        );
  });
});
