/**
 * Concurrent batches per shard (ParallelizationFactor): records of the same partition key (Kinesis) or
 * item (DynamoDB) always go to the same lane, and a lane processes one batch at a time, so that order
 * holds per key while keys progress side by side.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis-parallelization.html
 */
import type { InvokeResult } from '../../lambda/invoker';
import { orderingKey, type PendingRecord } from './shard-records';

export interface Batch {
  entries: PendingRecord[];
  /** Retries counted against MaximumRetryAttempts. */
  retries: number;
  /** Failed attempts in a row, for the backoff. */
  failures: number;
  /** Invocations that carried these records, for approximateInvokeCount. */
  invokeCount: number;
  notBefore: number;
  lastRequestId?: string;
  lastResponse?: InvokeResult;
}

export interface Lane {
  /** Records not yet in a batch, in shard order. */
  fresh: PendingRecord[];
  /** The head is the batch being processed; the rest wait for it (bisected halves). */
  batches: Batch[];
  /** When the first of `fresh` arrived: the batching window runs from here. */
  gatherSince: number;
}

export interface Lanes {
  readonly all: readonly Lane[];
  /** How many more records the lanes take before every lane holds a full batch. */
  room(): number;
  /** Files a record in the lane of its ordering key. */
  add(entry: PendingRecord, now: number): void;
  /** The next batch of a lane: up to BatchSize fresh records of one tumbling window, once complete. */
  takeBatch(lane: Lane, now: number): Batch | undefined;
  /** When the lane's batching window ends. */
  gatheringEnds(lane: Lane): number;
}

export function createLanes(options: {
  count: number;
  batchSize: number;
  batchingWindowMs: number;
  /** The most bytes of records one batch carries (what the event around them leaves of 6 MB). */
  maxBatchBytes: number;
}): Lanes {
  const { batchSize, batchingWindowMs, maxBatchBytes } = options;
  const all: Lane[] = Array.from({ length: options.count }, () => ({
    fresh: [],
    batches: [],
    gatherSince: 0,
  }));

  /**
   * The candidates of the next batch: up to BatchSize fresh records, of one tumbling window, within the
   * payload limit (Lambda invokes when "the batch reaches the payload limit of 6 MB"; one record always
   * goes, as none is larger than the limit).
   */
  function candidateCount(lane: Lane): number {
    const first = lane.fresh[0];
    if (first === undefined) return 0;
    let count = 0;
    let bytes = 0;
    for (;;) {
      const next = lane.fresh[count];
      if (count >= batchSize || next?.window !== first.window) return count;
      if (count > 0 && bytes + next.bytes > maxBatchBytes) return count;
      bytes += next.bytes;
      count += 1;
    }
  }

  /** Full (BatchSize or the payload limit), cut short by the next window, or its batching window is over. */
  function batchIsComplete(lane: Lane, now: number): boolean {
    return (
      candidateCount(lane) < lane.fresh.length ||
      lane.fresh.length >= batchSize ||
      now >= lane.gatherSince + batchingWindowMs
    );
  }

  return {
    all,
    room: () => batchSize * all.length - all.reduce((count, lane) => count + lane.fresh.length, 0),
    add(entry, now) {
      const lane = all[laneFor(orderingKey(entry.record), all.length)];
      if (lane === undefined) return;
      if (lane.fresh.length === 0) lane.gatherSince = now;
      lane.fresh.push(entry);
    },
    takeBatch(lane, now) {
      if (lane.fresh.length === 0 || !batchIsComplete(lane, now)) return undefined;
      const batch: Batch = {
        entries: lane.fresh.splice(0, candidateCount(lane)),
        retries: 0,
        failures: 0,
        invokeCount: 0,
        notBefore: now,
      };
      if (lane.fresh.length > 0) lane.gatherSince = now;
      lane.batches.push(batch);
      return batch;
    },
    gatheringEnds: (lane) => lane.gatherSince + batchingWindowMs,
  };
}

/** The lane of an ordering key among `lanes` (FNV-1a): stable, so a key never changes lane. */
export function laneFor(orderingKey: string, lanes: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < orderingKey.length; index += 1) {
    hash ^= orderingKey.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % lanes;
}
