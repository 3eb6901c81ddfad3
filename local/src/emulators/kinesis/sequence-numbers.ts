import { kinesaliteDb } from './kinesalite-db';

// kinesalite turns every sequence number between its decimal form and its hex fields with bignumber.js:
// twice per record put (the shard's start, the new number) and once per record read. Profiled on the
// telemetry bench, that was a fifth of the local cloud's CPU while records flowed (5.5 s of 26.5 s).
// These are the same conversions on the language's BigInt, installed over kinesalite's own exports (its
// actions call them as db.parseSequence...). Whatever lies outside the shapes they were checked for (a
// string that is not decimal digits, a field that is not an integer) goes to kinesalite's original, so
// its answers and its errors stay exactly its own; local/test/emulators/kinesis-sequence-numbers.test.ts
// compares both on generated numbers of every version.

/** The fields kinesalite encodes in a sequence number (versions 0, 1 and 2 of its layout). */
export interface SequenceFields {
  version?: number | null;
  shardCreateTime: number;
  shardIx?: number;
  seqIx?: number | string;
  seqTime?: number;
  byte1?: string;
  seqRand?: string;
}

export interface KinesaliteSequenceNumbers {
  parseSequence(sequenceNumber: string): SequenceFields;
  stringifySequence(fields: SequenceFields): string;
  incrementSequence(fields: SequenceFields | string, seqTime?: number | null): string;
}

const POW_2_124 = 2n ** 124n;
const POW_2_129 = 2n ** 129n;
const POW_2_185 = 2n ** 185n;
const POW_2_185_AND_A_HALF = 3n * 2n ** 184n;
const DECIMAL = /^\d+$/;
const HEX = /^[0-9a-f]+$/;
// kinesalite's own bound: a creation time past it is refused as "Date too large".
const MAX_SHARD_CREATE_SECONDS = 16_025_175_000;

const hexField = (value: number, width: number) => value.toString(16).padStart(width, '0').slice(-width);
const shardIxToHex = (shardIx: number | undefined) => hexField(shardIx ?? 0, 8);
const isWholeNumber = (value: unknown) =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** The same functions as kinesalite's, on BigInt, each falling back to `original` off its checked path. */
export function fastSequenceNumbers(original: KinesaliteSequenceNumbers): KinesaliteSequenceNumbers {
  function parseSequence(sequenceNumber: string): SequenceFields {
    if (typeof sequenceNumber !== 'string' || !DECIMAL.test(sequenceNumber))
      return original.parseSequence(sequenceNumber);
    let value = BigInt(sequenceNumber);
    if (value < POW_2_124) value += POW_2_124;
    const hex = value.toString(16);
    const version =
      value < POW_2_129
        ? 0
        : value > POW_2_185 && value < POW_2_185_AND_A_HALF
          ? Number.parseInt(hex.slice(-1), 16)
          : null;
    const shardCreateSeconds = Number.parseInt(hex.slice(1, 10), 16);
    if (version === 2) {
      const seqIxHex = hex.slice(11, 27);
      let shardIxHex = hex.slice(38, 46);
      if (Number.parseInt(seqIxHex[0] ?? '', 16) > 7) throw new Error('Sequence index too high');
      if (Number.parseInt(shardIxHex[0] ?? '', 16) > 7) shardIxHex = `-${shardIxHex}`;
      if (shardCreateSeconds >= MAX_SHARD_CREATE_SECONDS)
        throw new Error(`Date too large: ${shardCreateSeconds}`);
      return {
        shardCreateTime: shardCreateSeconds * 1000,
        seqIx: BigInt(`0x${seqIxHex}`).toString(),
        byte1: hex.slice(27, 29),
        seqTime: Number.parseInt(hex.slice(29, 38), 16) * 1000,
        shardIx: Number.parseInt(shardIxHex, 16),
        version,
      };
    }
    if (version === 1) {
      return {
        shardCreateTime: shardCreateSeconds * 1000,
        byte1: hex.slice(11, 13),
        seqTime: Number.parseInt(hex.slice(13, 22), 16) * 1000,
        seqRand: hex.slice(22, 36),
        seqIx: Number.parseInt(hex.slice(36, 38), 16),
        shardIx: Number.parseInt(hex.slice(38, 46), 16),
        version,
      };
    }
    if (version === 0) {
      if (shardCreateSeconds >= MAX_SHARD_CREATE_SECONDS)
        throw new Error(`Date too large: ${shardCreateSeconds}`);
      return {
        shardCreateTime: shardCreateSeconds * 1000,
        byte1: hex.slice(10, 12),
        seqRand: hex.slice(12, 28),
        shardIx: Number.parseInt(hex.slice(28, 32), 16),
        version,
      };
    }
    // Versions 3 to 15, or none: kinesalite's "Unknown version" error, in its words.
    return original.parseSequence(sequenceNumber);
  }

  function stringifySequence(fields: SequenceFields): string {
    const seqIx = fields.seqIx || 0;
    const seqTime = fields.seqTime || fields.shardCreateTime;
    const checked =
      (fields.version == null || fields.version === 2) &&
      isWholeNumber(fields.shardCreateTime) &&
      isWholeNumber(seqTime) &&
      (fields.shardIx === undefined || isWholeNumber(fields.shardIx)) &&
      (isWholeNumber(seqIx) || (typeof seqIx === 'string' && DECIMAL.test(seqIx))) &&
      (fields.byte1 === undefined || (fields.byte1.length === 2 && HEX.test(fields.byte1)));
    if (!checked) return original.stringifySequence(fields);
    const hex = [
      '2',
      hexField(Math.floor(fields.shardCreateTime / 1000), 9),
      (fields.shardIx || 0).toString(16).slice(-1),
      BigInt(seqIx).toString(16).padStart(16, '0').slice(-16),
      fields.byte1 || '00',
      hexField(Math.floor(seqTime / 1000), 9),
      shardIxToHex(fields.shardIx),
      '2',
    ].join('');
    return BigInt(`0x${hex}`).toString();
  }

  function incrementSequence(fields: SequenceFields | string, seqTime?: number | null): string {
    const parsed = typeof fields === 'string' ? parseSequence(fields) : fields;
    return stringifySequence({
      shardCreateTime: parsed.shardCreateTime,
      seqIx: parsed.seqIx,
      seqTime: seqTime || (parsed.seqTime ?? Number.NaN) + 1000,
      shardIx: parsed.shardIx,
    });
  }

  return { parseSequence, stringifySequence, incrementSequence };
}

let originals: KinesaliteSequenceNumbers | undefined;

/** kinesalite's own three conversions, as they were before installFastSequenceNumbers. */
export function kinesaliteSequenceNumbers(): KinesaliteSequenceNumbers {
  if (originals === undefined) {
    const { parseSequence, stringifySequence, incrementSequence } = kinesaliteDb<KinesaliteSequenceNumbers>();
    originals = { parseSequence, stringifySequence, incrementSequence };
  }
  return originals;
}

/** Replaces kinesalite's three conversions with the BigInt ones (idempotent: always over the originals). */
export function installFastSequenceNumbers(): void {
  Object.assign(kinesaliteDb<KinesaliteSequenceNumbers>(), fastSequenceNumbers(kinesaliteSequenceNumbers()));
}
