import { createRecordPutter, type PutterOptions } from './record-putter';
import type { DecodedReading } from './telemetry-records';

type Malformed = Extract<DecodedReading, { ok: false }>;

/** What the error stream holds for one malformed reading: enough to find it, see why, and replay it. */
export interface MalformedReadingRecord {
  reason: string;
  shardId: string;
  sequenceNumber: string;
  subSequenceNumber: number;
  /** The bytes as they were put, base64. */
  data: string;
  rejectedAt: string;
}

/**
 * Sends malformed readings to the error delivery stream (S3 under errors/telemetry/), resending only
 * what Firehose refused. What is still refused fails the invocation: Lambda delivers the batch again,
 * and the readings already counted are recognised by their ids, so the shard loses nothing and counts
 * nothing twice. A malformed reading therefore never blocks the shard once the error stream takes it.
 */
export function createMalformedReadingSink(options: PutterOptions & { clock?: () => Date }) {
  const putter = createRecordPutter(options);
  const clock = options.clock ?? (() => new Date());
  return {
    async send(shardId: string, malformed: readonly Malformed[]): Promise<void> {
      if (malformed.length === 0) return;
      const rejectedAt = clock().toISOString();
      const records = malformed.map(({ reason, sequenceNumber, subSequenceNumber, data }) => {
        const record: MalformedReadingRecord = {
          reason,
          shardId,
          sequenceNumber,
          subSequenceNumber,
          data: data.toString('base64'),
          rejectedAt,
        };
        return Buffer.from(`${JSON.stringify(record)}\n`);
      });
      const { refused, lastError } = await putter.putAll(records);
      if (refused.length > 0) {
        throw new Error(
          `the error stream refused ${refused.length} malformed readings (${lastError ?? 'unknown'})`,
        );
      }
    },
  };
}
