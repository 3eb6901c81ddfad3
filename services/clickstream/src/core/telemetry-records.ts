import type { TelemetryReading } from '@serverless-patterns/shared/schemas/events';
import { deaggregateSync } from 'aws-kinesis-agg';
import { checkReading } from './reading-validation';

/** A Kinesis record as the event source mapping delivers it (the `kinesis` part of an event record). */
export interface StreamRecord {
  /** Base64 of the bytes put: one reading as JSON, or a KPL aggregated record of several. */
  data: string;
  partitionKey: string;
  sequenceNumber: string;
}

/** Where a reading sits in the stream: its record, and its place in an aggregated record (0 otherwise). */
export interface StreamPosition {
  sequenceNumber: string;
  subSequenceNumber: number;
}

export type DecodedReading =
  | ({ ok: true; reading: TelemetryReading } & StreamPosition)
  | ({ ok: false; reason: string; data: Buffer } & StreamPosition);

// The KPL's aggregated records start with these four bytes; a JSON reading starts with '{'.
// https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md
const KPL_MAGIC = Buffer.from([0xf3, 0x89, 0x9a, 0xc2]);

/**
 * The readings of a batch, in stream order. Lambda does not de-aggregate KPL records, so this does
 * (aws-kinesis-agg, checksums verified); plain records are one reading each. A record that is not JSON,
 * not a reading, or a corrupt aggregate becomes a malformed entry with its bytes and the reason, so that
 * it can go to the error stream while the rest of the batch goes on.
 */
export function decodeReadings(records: readonly StreamRecord[]): DecodedReading[] {
  const decoded: DecodedReading[] = [];
  for (const record of records) {
    const bytes = Buffer.from(record.data, 'base64');
    if (bytes.length >= 4 && bytes.subarray(0, 4).equals(KPL_MAGIC)) {
      decodeAggregated(record, bytes, decoded);
    } else {
      decoded.push(decodeOne(bytes, { sequenceNumber: record.sequenceNumber, subSequenceNumber: 0 }));
    }
  }
  return decoded;
}

function decodeOne(bytes: Buffer, position: StreamPosition): DecodedReading {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { ok: false, reason: `not JSON: ${(error as Error).message}`, data: bytes, ...position };
  }
  const check = checkReading(value);
  return check.ok
    ? { ok: true, reading: check.reading, ...position }
    : { ok: false, reason: check.reason, data: bytes, ...position };
}

function decodeAggregated(record: StreamRecord, bytes: Buffer, into: DecodedReading[]): void {
  let failure: Error | undefined;
  let users: { data: string }[] = [];
  deaggregateSync(
    { data: record.data, partitionKey: record.partitionKey, sequenceNumber: record.sequenceNumber } as never,
    true,
    (error, userRecords) => {
      if (error) failure ??= error;
      else users = userRecords ?? [];
    },
  );
  const { sequenceNumber } = record;
  if (failure !== undefined) {
    into.push({
      ok: false,
      reason: `KPL: ${failure.message}`,
      data: bytes,
      sequenceNumber,
      subSequenceNumber: 0,
    });
    return;
  }
  users.forEach((user, subSequenceNumber) => {
    into.push(decodeOne(Buffer.from(user.data, 'base64'), { sequenceNumber, subSequenceNumber }));
  });
}
