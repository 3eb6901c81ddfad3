import type { TelemetryReading } from '@serverless-patterns/shared/schemas/events';
import { decodeReadings, type StreamRecord } from './telemetry-records';

// Fan-out (the talk's answer to one Lambda per shard not keeping up): the dispatcher reads the stream,
// splits each batch into chunks and invokes a processor per chunk asynchronously, so that many
// processors work on one shard's records at once. Ordering is given up: chunks run in any order and
// may run twice (a retried dispatch, Lambda's own retries), so the processor's writes are keyed by
// device, reading time and stream position, and a replay rewrites the same items.

/** What the dispatcher hands each processor: a slice of the batch, records as the stream gave them. */
export interface FanOutChunk {
  shardId: string;
  records: StreamRecord[];
}

/** Stays well under the 256 KB payload of an asynchronous invocation. */
const MAX_CHUNK_BYTES = 200 * 1024;

/** The batch in chunks of at most `chunkSize` records and about 200 KB of data each. */
export function chunkRecords(
  shardId: string,
  records: readonly StreamRecord[],
  chunkSize: number,
): FanOutChunk[] {
  const chunks: FanOutChunk[] = [];
  let current: StreamRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.data.length + record.partitionKey.length + record.sequenceNumber.length + 64;
    if (current.length > 0 && (current.length >= chunkSize || bytes + size > MAX_CHUNK_BYTES)) {
      chunks.push({ shardId, records: current });
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push({ shardId, records: current });
  return chunks;
}

export function createDispatcher({
  processor,
  chunkSize,
}: {
  /** Invokes the processor asynchronously (InvocationType Event); rejects if Lambda refused it. */
  processor: { invokeAsync(chunk: FanOutChunk): Promise<void> };
  chunkSize: number;
}) {
  return {
    /** Every chunk handed over, side by side; one refused fails the batch, which the stream retries whole. */
    async dispatch(shardId: string, records: readonly StreamRecord[]): Promise<number> {
      const chunks = chunkRecords(shardId, records, chunkSize);
      await Promise.all(chunks.map((chunk) => processor.invokeAsync(chunk)));
      return chunks.length;
    },
  };
}

/** One raw reading as the processor stores it: keyed so that a replay writes the same item. */
export interface RawReading extends TelemetryReading {
  /** `<recordedAt>#<sequenceNumber>#<subSequenceNumber>`: the sort key. */
  position: string;
}

export function createReadingsProcessor({
  store,
}: {
  store: { putAll(readings: readonly RawReading[]): Promise<void> };
}) {
  return {
    async process(chunk: FanOutChunk): Promise<{ stored: number; malformed: number }> {
      const decoded = decodeReadings(chunk.records);
      const readings: RawReading[] = [];
      for (const entry of decoded) {
        if (!entry.ok) continue; // the aggregator sends these to the error stream
        const { reading, sequenceNumber, subSequenceNumber } = entry;
        readings.push({
          ...reading,
          position: `${reading.recordedAt}#${sequenceNumber}#${subSequenceNumber}`,
        });
      }
      await store.putAll(readings);
      return { stored: readings.length, malformed: decoded.length - readings.length };
    },
  };
}
