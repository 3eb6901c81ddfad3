/**
 * When a stream mapping stops retrying a batch: MaximumRetryAttempts spent, or records older than
 * MaximumRecordAgeInSeconds. Given-up records go to the on-failure destination (their metadata, not
 * their data) or are dropped, and the shard moves on. BisectBatchOnFunctionError splits a failing batch
 * first, without using the retry quota.
 * https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html
 */
import type { FailureDestination } from '../../lambda/invoker';
import type { Batch, Lane } from './lanes';
import { buildOnFailureRecord, type FailureCondition } from './on-failure-record';
import { type Clock, type EngineLogger, errorDetails, type RetryDelay } from './scheduling';
import type { EventSourceMappingSettings } from './settings';
import type { PendingRecord } from './shard-records';

export interface GiveUp {
  /** Records given up on so far. */
  readonly discarded: number;
  /** Gives up on the records at the head of the batch that are older than MaximumRecordAgeInSeconds. */
  dropExpired(batch: Batch, now: number): Promise<void>;
  /** The batch did not reach the function: retried after a backoff until its records expire. */
  unreached(batch: Batch, error: unknown): void;
  /** With BisectBatchOnFunctionError, splits a failed batch of two or more in halves; false otherwise. */
  bisect(lane: Lane, batch: Batch, reason: string): boolean;
  /** Retries a failed batch after a backoff, or gives up on it once MaximumRetryAttempts is spent. */
  retryOrDiscard(lane: Lane, batch: Batch, reason: string): Promise<void>;
}

export function createGiveUp(options: {
  settings: EventSourceMappingSettings;
  sourceKind: 'kinesis' | 'dynamodb';
  /** For the on-failure record. */
  functionArn: string;
  eventSourceArn: string;
  shardId: string;
  /** Required when the settings name an on-failure destination. */
  destination?: FailureDestination;
  clock: Clock;
  retryDelay: RetryDelay;
  logger: EngineLogger;
  context: Record<string, unknown>;
  newRequestId: () => string;
}): GiveUp {
  const { settings, clock, retryDelay, logger, context } = options;
  const destinationArn = settings.onFailureDestination;
  if (destinationArn !== undefined && options.destination === undefined) {
    throw new TypeError(
      `The mapping sends failures to ${destinationArn}, but no FailureDestination was given`,
    );
  }
  const maximumAgeMs =
    settings.maximumRecordAgeInSeconds === -1 ? -1 : settings.maximumRecordAgeInSeconds * 1000;
  let discarded = 0;

  function countExpired(entries: readonly PendingRecord[], now: number): number {
    if (maximumAgeMs === -1) return 0;
    let count = 0;
    while (count < entries.length) {
      const entry = entries[count];
      if (entry === undefined || now - entry.record.approximateArrivalTimestamp <= maximumAgeMs) break;
      count += 1;
    }
    return count;
  }

  /** Gives up on records: they go to the on-failure destination, or are dropped, and the shard moves on. */
  async function discard(
    entries: readonly PendingRecord[],
    condition: FailureCondition,
    batch: Batch,
  ): Promise<void> {
    for (const entry of entries) entry.done = true;
    discarded += entries.length;
    const record = buildOnFailureRecord({
      sourceKind: options.sourceKind,
      requestId: batch.lastRequestId ?? options.newRequestId(),
      functionArn: options.functionArn,
      condition,
      approximateInvokeCount: batch.invokeCount,
      ...(batch.lastResponse === undefined ? {} : { lastResponse: batch.lastResponse }),
      timestamp: clock.now(),
      shardId: options.shardId,
      streamArn: options.eventSourceArn,
      records: entries.map((entry) => entry.record),
    });
    if (destinationArn === undefined || options.destination === undefined) {
      logger.warn('Discarded stream records: the mapping has no on-failure destination', {
        ...context,
        record,
      });
      return;
    }
    try {
      await options.destination.send(destinationArn, record);
      logger.warn('Discarded stream records; their metadata went to the on-failure destination', {
        ...context,
        destinationArn,
        record,
      });
    } catch (error) {
      logger.error('Could not send discarded stream records to the on-failure destination', {
        ...context,
        destinationArn,
        record,
        ...errorDetails(error),
      });
    }
  }

  return {
    get discarded() {
      return discarded;
    },
    async dropExpired(batch, now) {
      const expired = countExpired(batch.entries, now);
      if (expired > 0) await discard(batch.entries.splice(0, expired), 'RecordAgeExceeded', batch);
    },
    unreached(batch, error) {
      // Lambda retries a batch that did not reach the function until the records expire, without
      // using the retry quota, and never splits it.
      batch.failures += 1;
      batch.notBefore = clock.now() + retryDelay(batch.failures);
      logger.warn('Could not invoke the function; the batch will be retried', {
        ...context,
        ...describeBatch(batch),
        ...errorDetails(error),
      });
    },
    bisect(lane, batch, reason) {
      if (!settings.bisectBatchOnFunctionError || batch.entries.length <= 1) return false;
      // Splitting a batch does not count towards the retry quota.
      const half = Math.ceil(batch.entries.length / 2);
      const halves = [batch.entries.slice(0, half), batch.entries.slice(half)].map(
        (entries): Batch => ({ ...batch, entries, failures: 0, notBefore: clock.now() }),
      );
      lane.batches.splice(0, 1, ...halves);
      logger.warn('The function failed; the batch is split in two', {
        ...context,
        ...describeBatch(batch),
        reason,
      });
      return true;
    },
    async retryOrDiscard(lane, batch, reason) {
      const limit = settings.maximumRetryAttempts;
      if (limit !== -1 && batch.retries >= limit) {
        lane.batches.shift();
        await discard(batch.entries, 'RetryAttemptsExhausted', batch);
        return;
      }
      batch.retries += 1;
      batch.failures += 1;
      batch.notBefore = clock.now() + retryDelay(batch.failures);
      logger.warn('The batch failed and will be retried', { ...context, ...describeBatch(batch), reason });
    },
  };
}

function describeBatch(batch: Batch): Record<string, unknown> {
  return {
    firstSequenceNumber: batch.entries[0]?.record.sequenceNumber,
    lastSequenceNumber: batch.entries.at(-1)?.record.sequenceNumber,
    size: batch.entries.length,
    retries: batch.retries,
  };
}
