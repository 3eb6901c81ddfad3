/**
 * What a stream event source mapping reads from one shard of a Kinesis data stream or DynamoDB
 * stream, and how the readers (readers.ts) hand it over.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 */
import { isRecord } from './batch-item-failures';

export interface StreamRecord {
  /** Kinesis `sequenceNumber` or DynamoDB `SequenceNumber`: decimal digits, ordered as integers. */
  sequenceNumber: string;
  /** Kinesis partition key: records with the same key are delivered in order. */
  partitionKey?: string;
  /** DynamoDB `Keys` of the item: records of the same item are delivered in order. */
  keys?: Record<string, unknown>;
  /** When the record reached the stream, in milliseconds since the epoch. */
  approximateArrivalTimestamp: number;
  /** The record as Lambda delivers it: one element of the event's `Records`. */
  body: unknown;
}

export type ShardPosition =
  | { type: 'TRIM_HORIZON' }
  | { type: 'LATEST' }
  /** Milliseconds since the epoch. */
  | { type: 'AT_TIMESTAMP'; timestamp: number }
  | { type: 'AFTER_SEQUENCE_NUMBER'; sequenceNumber: string }
  /** A position only the reader understands (a shard iterator...), handed back to it unchanged. */
  | { type: 'CONTINUATION'; token: string };

export interface ShardReadResult {
  /** Records from `position` on, in shard order, at most `limit`. */
  records: StreamRecord[];
  /**
   * Where the next read continues. Default: after the last record returned, or `position` again when none
   * was; a reader started at LATEST returns a position that pins the tip it found.
   */
  nextPosition?: ShardPosition;
  /** The shard is closed (resharding) and every one of its records has been returned. */
  shardEnded?: boolean;
}

export interface ShardReader {
  read(position: ShardPosition, limit: number): Promise<ShardReadResult>;
}

/** A record read and not yet checkpointed. */
export interface PendingRecord {
  record: StreamRecord;
  sequence: bigint;
  /** Delivered (and, with a tumbling window, its window closed), filtered out, or discarded. */
  done: boolean;
  /** Start of the tumbling window the record belongs to (0 without windows). */
  window: number;
  /** The record's size in the event (its JSON, in bytes): batches stay within Lambda's payload limit. */
  bytes: number;
}

/** The partition key of a Kinesis record, or the item keys of a DynamoDB record. */
export function orderingKey(record: StreamRecord): string {
  if (record.partitionKey !== undefined) return record.partitionKey;
  return record.keys === undefined ? '' : canonicalJson(record.keys);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    const members = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function compareSequences(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
