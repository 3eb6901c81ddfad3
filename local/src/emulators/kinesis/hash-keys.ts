import { hash } from 'node:crypto';
import { kinesaliteDb } from './kinesalite-db';

// kinesalite places each record on a shard by the MD5 of its partition key, made a bignumber.js number
// and compared with every open shard's hash key range: profiled on the telemetry bench, 2.8 s of the
// local cloud's CPU for about 310,000 records put. This is the same number on the language's BigInt, installed
// over kinesalite's export (putRecord and putRecords call db.partitionKeyToHashKey and use only the
// result's comparedTo). A comparison with anything but a decimal string (the ranges kinesalite stores)
// goes to bignumber.js, so that its answers stay exactly kinesalite's;
// local/test/emulators/kinesis-hash-keys.test.ts compares both on generated keys and ranges.

/** What kinesalite's actions use of a hash key: bignumber.js's three-way comparison. */
export interface HashKey {
  comparedTo(other: unknown): number | null;
}

export interface KinesaliteHashKeys {
  partitionKeyToHashKey(partitionKey: string): HashKey;
}

const DECIMAL = /^\d+$/;
/** Shard hash key bounds, parsed once: a stream has a handful, compared for every record put. */
const parsedBounds = new Map<string, bigint>();

function parsedBound(decimal: string): bigint {
  let value = parsedBounds.get(decimal);
  if (value === undefined) {
    value = BigInt(decimal);
    if (parsedBounds.size < 10_000) parsedBounds.set(decimal, value);
  }
  return value;
}

/**
 * The MD5s of partition keys already seen, as numbers. Producers put under the same keys again and again
 * (a device id): 300,000 readings of 200 devices spent 0.7 s hashing them. Emptied when it reaches
 * 10,000 keys, so memory stays bounded; with more keys than that in rotation it rarely hits, and
 * costs what hashing did.
 */
const hashedKeys = new Map<string, bigint>();

function md5Of(partitionKey: string): bigint {
  let value = hashedKeys.get(partitionKey);
  if (value === undefined) {
    value = BigInt(`0x${hash('md5', partitionKey, 'hex')}`);
    if (hashedKeys.size >= 10_000) hashedKeys.clear();
    hashedKeys.set(partitionKey, value);
  }
  return value;
}

/** The same hash keys as kinesalite's, on BigInt, comparing with bignumber.js off the checked path. */
export function fastHashKeys(original: KinesaliteHashKeys): KinesaliteHashKeys {
  return {
    partitionKeyToHashKey(partitionKey) {
      if (typeof partitionKey !== 'string') return original.partitionKeyToHashKey(partitionKey);
      const value = md5Of(partitionKey);
      return {
        comparedTo(other) {
          if (typeof other !== 'string' || !DECIMAL.test(other))
            return original.partitionKeyToHashKey(partitionKey).comparedTo(other);
          const bound = parsedBound(other);
          return value < bound ? -1 : value > bound ? 1 : 0;
        },
      };
    },
  };
}

let original: KinesaliteHashKeys | undefined;

/** kinesalite's own partitionKeyToHashKey, as it was before installFastHashKeys. */
export function kinesaliteHashKeys(): KinesaliteHashKeys {
  original ??= { partitionKeyToHashKey: kinesaliteDb<KinesaliteHashKeys>().partitionKeyToHashKey };
  return original;
}

/** Replaces kinesalite's partitionKeyToHashKey with the BigInt one (idempotent: always over the original). */
export function installFastHashKeys(): void {
  Object.assign(kinesaliteDb<KinesaliteHashKeys>(), fastHashKeys(kinesaliteHashKeys()));
}
