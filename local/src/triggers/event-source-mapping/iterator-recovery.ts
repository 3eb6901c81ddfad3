/**
 * Reading a shard from a position that survives dead iterators. A shard iterator dies: it expires 15
 * minutes after it was issued (a shard whose batches are retried for that long is not read meanwhile),
 * or the records it points at are trimmed. Retrying a dead iterator fails forever, so on
 * ExpiredIteratorException, TrimmedDataAccessException or MAX_ITERATOR_FAILURES failures in a row, the
 * cursor asks for a new iterator after the last record it read (every record up to it is delivered or
 * in hand), or at its starting position when it has read none; trimmed records are gone, and it goes on
 * from the oldest record left (TRIM_HORIZON). A read that fails again leaves the new position in place
 * for the next poll, which asks for a fresh iterator again.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html
 */
import { type EngineLogger, errorDetails } from './scheduling';
import type { EventSourceMappingSettings } from './settings';
import type { ShardPosition, ShardReader, ShardReadResult, StreamRecord } from './shard-records';

/** Failed reads in a row after which an iterator is taken for dead whatever the error. */
export const MAX_ITERATOR_FAILURES = 3;

export interface ShardCursor {
  /**
   * Up to `limit` records after the last one read, in shard order (records read again after an
   * iterator was re-opened are left out); the cursor moves past them.
   */
  read(limit: number): Promise<{ records: StreamRecord[]; shardEnded: boolean }>;
}

export function createShardCursor(options: {
  reader: ShardReader;
  settings: EventSourceMappingSettings;
  /** A stored checkpoint; default: the mapping's StartingPosition. */
  startPosition?: ShardPosition;
  /** The last checkpointed sequence number, where a new iterator starts when nothing was read. */
  checkpoint: () => string | undefined;
  logger: EngineLogger;
  context: Record<string, unknown>;
}): ShardCursor {
  const { reader, settings, logger, context } = options;
  const initialPosition = options.startPosition ?? startingPosition(settings);
  let position = initialPosition;
  /** Failed reads in a row from the current iterator. */
  let iteratorFailures = 0;
  let lastRead: bigint | undefined;
  let lastReadSequenceNumber: string | undefined;

  async function readFromPosition(limit: number): Promise<ShardReadResult> {
    try {
      const result = await reader.read(position, limit);
      iteratorFailures = 0;
      return result;
    } catch (error) {
      iteratorFailures += 1;
      const name = error instanceof Error ? error.name : '';
      const trimmed = name === 'TrimmedDataAccessException';
      const dead = trimmed || name === 'ExpiredIteratorException';
      if (!dead && (position.type !== 'CONTINUATION' || iteratorFailures < MAX_ITERATOR_FAILURES))
        throw error;
      const failed = position;
      position = trimmed ? { type: 'TRIM_HORIZON' } : resumePosition();
      iteratorFailures = 0;
      logger.warn(
        trimmed
          ? 'The shard iterator points at trimmed records; re-opening it at the oldest record left (records may be lost)'
          : 'The shard iterator is no longer usable; re-opening it after the last record read',
        {
          ...context,
          ...errorDetails(error),
          failedPosition: failed.type,
          position: describePosition(position),
        },
      );
      if (failed.type !== 'CONTINUATION' && !trimmed) throw error;
      return reader.read(position, limit);
    }
  }

  /** Where a new iterator starts: after the last record read, else where this consumer started. */
  function resumePosition(): ShardPosition {
    const after = lastReadSequenceNumber ?? options.checkpoint();
    if (after !== undefined) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: after };
    return initialPosition.type === 'CONTINUATION' ? startingPosition(settings) : initialPosition;
  }

  return {
    async read(limit) {
      const result = await readFromPosition(limit);
      const records: StreamRecord[] = [];
      for (const record of result.records) {
        const sequence = BigInt(record.sequenceNumber);
        // Records read again after an iterator was re-opened are already in hand.
        if (lastRead !== undefined && sequence <= lastRead) continue;
        lastRead = sequence;
        lastReadSequenceNumber = record.sequenceNumber;
        records.push(record);
      }
      const last = result.records.at(-1);
      position =
        result.nextPosition ??
        (last === undefined
          ? position
          : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: last.sequenceNumber });
      return { records, shardEnded: result.shardEnded === true };
    },
  };
}

function startingPosition(settings: EventSourceMappingSettings): ShardPosition {
  switch (settings.startingPosition) {
    case 'LATEST':
      return { type: 'LATEST' };
    case 'AT_TIMESTAMP':
      return { type: 'AT_TIMESTAMP', timestamp: (settings.startingPositionTimestamp ?? 0) * 1000 };
    default:
      return { type: 'TRIM_HORIZON' };
  }
}

function describePosition(position: ShardPosition): string {
  switch (position.type) {
    case 'AFTER_SEQUENCE_NUMBER':
      return `AFTER_SEQUENCE_NUMBER ${position.sequenceNumber}`;
    case 'AT_TIMESTAMP':
      return `AT_TIMESTAMP ${new Date(position.timestamp).toISOString()}`;
    default:
      return position.type;
  }
}
