/**
 * The event source mapping poller of ONE shard of a Kinesis data stream or DynamoDB stream: batching,
 * checkpoints, partial batch responses, retries and bisection, on-failure destinations, filtering,
 * concurrent batches per shard and tumbling windows, as Lambda does them.
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 */
import { randomUUID } from 'node:crypto';
import type { FailureDestination, InvokeResult, LambdaInvoker } from '../../lambda/invoker';
import { isRecord, readBatchResponse } from './batch-item-failures';
import { buildOnFailureRecord, type FailureCondition } from './on-failure-record';
import {
  type Clock,
  consoleLogger,
  createBackgroundLoop,
  type EngineLogger,
  errorDetails,
  exponentialRetryDelay,
  type RetryDelay,
  realSleep,
  type Sleep,
  systemClock,
} from './scheduling';
import type { EventSourceMappingSettings } from './settings';

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

/** The fields a tumbling window adds to the event, next to `Records`. */
export interface TumblingWindowFields {
  window: { start: string; end: string };
  state: unknown;
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

export interface StreamEventExtras {
  shardId: string;
  eventSourceArn: string;
  /** Present when the mapping has a TumblingWindowInSeconds. */
  tumblingWindow?: TumblingWindowFields;
}

export type StreamEventBuilder = (records: readonly StreamRecord[], extras: StreamEventExtras) => unknown;

/** `{ Records }`, the shape of both Kinesis and DynamoDB stream events, plus the tumbling window fields. */
export const toStreamEvent: StreamEventBuilder = (records, extras) => ({
  Records: records.map((record) => record.body),
  ...extras.tumblingWindow,
});

export interface ShardConsumerOptions {
  settings: EventSourceMappingSettings;
  /** Physical name, for the invoker. */
  functionName: string;
  /** For the on-failure record. */
  functionArn: string;
  eventSourceArn: string;
  shardId: string;
  reader: ShardReader;
  invoker: LambdaInvoker;
  /** Required when the settings name an on-failure destination. */
  destination?: FailureDestination;
  /** Default: toStreamEvent. */
  toEvent?: StreamEventBuilder;
  /** The mapping's filter criteria; default: every record matches. */
  matches?: (record: StreamRecord) => boolean;
  /** Where to resume (a stored checkpoint); default: the mapping's StartingPosition. */
  startPosition?: ShardPosition;
  /** Called each time the checkpoint moves: every record up to this one is done with. */
  onCheckpoint?: (sequenceNumber: string) => void;
  clock?: Clock;
  sleep?: Sleep;
  logger?: EngineLogger;
  retryDelay?: RetryDelay;
  /** Pause between reads of an idle shard; Lambda polls a shard once per second. */
  pollIntervalMs?: number;
  newRequestId?: () => string;
}

export interface PollResult {
  /** Invocations attempted during this poll (those the invoker rejected included). */
  invocations: number;
  /** Records given up on during this poll (sent to the on-failure destination, or dropped). */
  discarded: number;
  /** The shard ended and every record of it is done with: nothing more will come. */
  shardEnded: boolean;
}

export interface ShardConsumer {
  /** Reads, waits for the batching window if needed, and makes at most one invocation per lane. */
  pollOnce(): Promise<PollResult>;
  /** Polls until stop(); a disabled mapping does not poll. */
  start(): void;
  /** Resolves once the invocations under way have ended and their outcome is recorded. */
  stop(): Promise<void>;
  /** The last checkpointed sequence number, if any. */
  checkpoint(): string | undefined;
}

interface Entry {
  record: StreamRecord;
  sequence: bigint;
  /** Delivered (and, with a tumbling window, its window closed), filtered out, or discarded. */
  done: boolean;
  /** Start of the tumbling window the record belongs to (0 without windows). */
  window: number;
}

interface Batch {
  entries: Entry[];
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

/** Records of the same partition key (or item) always go to the same lane, one batch at a time. */
interface Lane {
  fresh: Entry[];
  /** The head is the batch being processed; the rest wait for it (bisected halves). */
  batches: Batch[];
  gatherSince: number;
}

interface OpenWindow {
  start: number;
  end: number;
  state: unknown;
  /** Delivered records, checkpointed once the final invocation succeeds. */
  entries: Entry[];
  terminatedEarly: boolean;
  failures: number;
  notBefore: number;
}

type Work = { kind: 'batch'; lane: Lane; batch: Batch } | { kind: 'final'; window: OpenWindow };

type Outcome =
  | { kind: 'success'; state?: unknown }
  | { kind: 'partial'; index: number; state?: unknown; reason: string }
  | { kind: 'failure'; reason: string };

// Beyond 1 MB of state per shard, Lambda terminates the window early.
// https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html
const MAX_WINDOW_STATE_BYTES = 1024 * 1024;
const DEFAULT_POLL_INTERVAL_MS = 1000;
/** Failed reads in a row after which an iterator is taken for dead whatever the error. */
export const MAX_ITERATOR_FAILURES = 3;

export function createShardConsumer(options: ShardConsumerOptions): ShardConsumer {
  const { settings, reader, invoker, shardId, eventSourceArn, functionName } = options;
  const kind = settings.sourceKind;
  if (kind === 'sqs') throw new TypeError('createShardConsumer reads Kinesis and DynamoDB streams only');
  const sourceKind: 'kinesis' | 'dynamodb' = kind;
  const destinationArn = settings.onFailureDestination;
  if (destinationArn !== undefined && options.destination === undefined) {
    throw new TypeError(
      `The mapping sends failures to ${destinationArn}, but no FailureDestination was given`,
    );
  }
  const toEvent = options.toEvent ?? toStreamEvent;
  const matches = options.matches ?? (() => true);
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const logger = options.logger ?? consoleLogger;
  const retryDelay = options.retryDelay ?? exponentialRetryDelay;
  const pollIntervalMs = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  const newRequestId = options.newRequestId ?? randomUUID;
  const batchSize = settings.batchSize;
  const batchingWindowMs = settings.maximumBatchingWindowInSeconds * 1000;
  const maximumAgeMs =
    settings.maximumRecordAgeInSeconds === -1 ? -1 : settings.maximumRecordAgeInSeconds * 1000;
  const windowMs = settings.tumblingWindowInSeconds * 1000;
  // The window state is per shard and flows from one invocation to the next, so windows run on one lane.
  const lanes: Lane[] = Array.from({ length: windowMs > 0 ? 1 : settings.parallelizationFactor }, () => ({
    fresh: [],
    batches: [],
    gatherSince: 0,
  }));
  const context = { shardId, functionName };

  /** Every record read and not yet checkpointed, in shard order. */
  const pending: Entry[] = [];
  const initialPosition = options.startPosition ?? startingPosition(settings);
  let position = initialPosition;
  /** Failed reads in a row from the current iterator. */
  let iteratorFailures = 0;
  let lastRead: bigint | undefined;
  let lastReadSequenceNumber: string | undefined;
  let checkpointed: string | undefined;
  let shardEnded = false;
  let openWindow: OpenWindow | undefined;
  let discardedCount = 0;
  const background = createBackgroundLoop((signal) => loop(signal));

  async function fill(): Promise<void> {
    if (shardEnded) return;
    const room = batchSize * lanes.length - lanes.reduce((count, lane) => count + lane.fresh.length, 0);
    if (room <= 0) return;
    const result = await read(room);
    const now = clock.now();
    for (const record of result.records) {
      const sequence = BigInt(record.sequenceNumber);
      // Records read again after an iterator was re-opened are already in hand.
      if (lastRead !== undefined && sequence <= lastRead) continue;
      lastRead = sequence;
      lastReadSequenceNumber = record.sequenceNumber;
      const window = windowMs > 0 ? Math.floor(record.approximateArrivalTimestamp / windowMs) * windowMs : 0;
      const entry: Entry = { record, sequence, done: false, window };
      pending.push(entry);
      // Records that match no filter are never delivered; the iterator moves past them.
      // https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
      if (!safelyMatches(record)) {
        entry.done = true;
        continue;
      }
      const lane = lanes[laneFor(orderingKey(record), lanes.length)];
      if (lane === undefined) continue;
      if (lane.fresh.length === 0) lane.gatherSince = now;
      lane.fresh.push(entry);
    }
    const last = result.records.at(-1);
    position =
      result.nextPosition ??
      (last === undefined
        ? position
        : { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: last.sequenceNumber });
    if (result.shardEnded) shardEnded = true;
    advanceCheckpoint();
  }

  /**
   * Reads from the current position. A shard iterator dies: it expires 15 minutes after it was issued
   * (a shard whose batches are retried for that long is not read meanwhile), or the records it points
   * at are trimmed. Retrying a dead iterator fails forever, so on ExpiredIteratorException,
   * TrimmedDataAccessException or MAX_ITERATOR_FAILURES failures in a row, the consumer asks for a new
   * iterator after the last record it read (every record up to it is delivered or in hand), or at
   * its starting position when it has read none; trimmed records are gone, and it goes on from the
   * oldest record left (TRIM_HORIZON). A read that fails again leaves the new position in place for
   * the next poll, which asks for a fresh iterator again.
   * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html
   * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html
   */
  async function read(room: number): Promise<ShardReadResult> {
    try {
      const result = await reader.read(position, room);
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
      return reader.read(position, room);
    }
  }

  /** Where a new iterator starts: after the last record read, else where this consumer started. */
  function resumePosition(): ShardPosition {
    const after = lastReadSequenceNumber ?? checkpointed;
    if (after !== undefined) return { type: 'AFTER_SEQUENCE_NUMBER', sequenceNumber: after };
    return initialPosition.type === 'CONTINUATION' ? startingPosition(settings) : initialPosition;
  }

  function safelyMatches(record: StreamRecord): boolean {
    try {
      return matches(record);
    } catch (error) {
      logger.warn('Filter criteria could not be evaluated; dropping the record', {
        ...context,
        sequenceNumber: record.sequenceNumber,
        ...errorDetails(error),
      });
      return false;
    }
  }

  function advanceCheckpoint(): void {
    let last: Entry | undefined;
    while (pending[0]?.done) last = pending.shift();
    if (last === undefined) return;
    checkpointed = last.record.sequenceNumber;
    options.onCheckpoint?.(checkpointed);
  }

  function windowIsClosing(lane: Lane, window: OpenWindow, now: number): boolean {
    if (window.terminatedEarly) return true;
    if (lane.batches.length > 0) return false;
    const next = lane.fresh[0];
    if (next !== undefined) return next.window !== window.start;
    return now >= window.end || shardEnded;
  }

  /** The candidates of the next batch: up to BatchSize fresh records, of one tumbling window. */
  function candidateCount(lane: Lane): number {
    const first = lane.fresh[0];
    if (first === undefined) return 0;
    let count = 0;
    while (count < batchSize && lane.fresh[count]?.window === first.window) count += 1;
    return count;
  }

  function batchIsComplete(lane: Lane, now: number): boolean {
    const count = candidateCount(lane);
    return count >= batchSize || count < lane.fresh.length || now >= lane.gatherSince + batchingWindowMs;
  }

  function nextWork(lane: Lane, now: number): Work | undefined {
    if (openWindow !== undefined && windowIsClosing(lane, openWindow, now)) {
      return openWindow.notBefore <= now ? { kind: 'final', window: openWindow } : undefined;
    }
    const head = lane.batches[0];
    if (head !== undefined) return head.notBefore <= now ? { kind: 'batch', lane, batch: head } : undefined;
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
    return { kind: 'batch', lane, batch };
  }

  /** When waiting can make work ready: a retry's backoff or the end of a batching window. */
  function nextWake(now: number): number | undefined {
    const times: number[] = [];
    for (const lane of lanes) {
      if (openWindow !== undefined && windowIsClosing(lane, openWindow, now))
        times.push(openWindow.notBefore);
      else if (lane.batches[0] !== undefined) times.push(lane.batches[0].notBefore);
      else if (lane.fresh.length > 0) times.push(lane.gatherSince + batchingWindowMs);
    }
    const future = times.filter((time) => time > now);
    return future.length > 0 ? Math.min(...future) : undefined;
  }

  function isFinished(): boolean {
    return shardEnded && pending.length === 0 && openWindow === undefined;
  }

  async function pollOnce(): Promise<PollResult> {
    const discardedBefore = discardedCount;
    const result = (invocations: number): PollResult => ({
      invocations,
      discarded: discardedCount - discardedBefore,
      shardEnded: isFinished(),
    });
    await fill();
    for (;;) {
      const now = clock.now();
      const work = lanes.map((lane) => nextWork(lane, now)).filter((item) => item !== undefined);
      if (work.length > 0) {
        const invocations = await Promise.all(work.map(perform));
        return result(invocations.reduce((sum, count) => sum + count, 0));
      }
      const wakeAt = nextWake(now);
      if (wakeAt === undefined || background.signal?.aborted) return result(0);
      await sleep(Math.min(wakeAt - now, pollIntervalMs), background.signal);
      if (background.signal?.aborted) return result(0);
      await fill();
    }
  }

  async function perform(work: Work): Promise<number> {
    return work.kind === 'final' ? invokeFinal(work.window) : invokeBatch(work.lane, work.batch);
  }

  async function invokeBatch(lane: Lane, batch: Batch): Promise<number> {
    const expired = countExpired(batch.entries, clock.now());
    if (expired > 0) {
      await discard(batch.entries.splice(0, expired), 'RecordAgeExceeded', batch);
      if (batch.entries.length === 0) {
        lane.batches.shift();
        advanceCheckpoint();
        return 0;
      }
    }
    const window = windowMs > 0 ? ensureWindow(batch.entries[0]?.window ?? 0) : undefined;
    const requestId = newRequestId();
    let result: InvokeResult;
    try {
      result = await invoker.invoke(functionName, buildEvent(batch.entries, window, false));
    } catch (error) {
      // The batch did not reach the function: Lambda retries it until the records expire, without using
      // the retry quota, and never splits it.
      // https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
      batch.failures += 1;
      batch.notBefore = clock.now() + retryDelay(batch.failures);
      logger.warn('Could not invoke the function; the batch will be retried', {
        ...context,
        ...describeBatch(batch),
        ...errorDetails(error),
      });
      return 1;
    }
    batch.invokeCount += 1;
    batch.lastRequestId = requestId;
    batch.lastResponse = result;
    const outcome = readOutcome(result, batch.entries, window !== undefined);
    if (outcome.kind === 'success') {
      deliver(batch.entries, window, outcome.state);
      lane.batches.shift();
    } else if (outcome.kind === 'partial') {
      // Checkpoint at the lowest failed sequence number and retry from there.
      // https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html
      deliver(batch.entries.slice(0, outcome.index), window, outcome.state);
      batch.entries = batch.entries.slice(outcome.index);
      await retryOrDiscard(lane, batch, outcome.reason);
    } else if (settings.bisectBatchOnFunctionError && batch.entries.length > 1) {
      // Splitting a batch does not count towards the retry quota.
      // https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
      const half = Math.ceil(batch.entries.length / 2);
      const halves = [batch.entries.slice(0, half), batch.entries.slice(half)].map(
        (entries): Batch => ({ ...batch, entries, failures: 0, notBefore: clock.now() }),
      );
      lane.batches.splice(0, 1, ...halves);
      logger.warn('The function failed; the batch is split in two', {
        ...context,
        ...describeBatch(batch),
        reason: outcome.reason,
      });
    } else {
      await retryOrDiscard(lane, batch, outcome.reason);
    }
    advanceCheckpoint();
    return 1;
  }

  function readOutcome(result: InvokeResult, entries: readonly Entry[], windowed: boolean): Outcome {
    if (result.functionError !== undefined)
      return { kind: 'failure', reason: `function error ${result.functionError}` };
    let state: unknown;
    if (windowed) {
      // With tumbling windows a response without `state` is a failed invocation.
      if (!isRecord(result.payload) || !('state' in result.payload)) {
        return { kind: 'failure', reason: 'the response has no state property' };
      }
      state = result.payload.state;
    }
    // Without ReportBatchItemFailures, Lambda ignores the response.
    if (!settings.reportBatchItemFailures) return { kind: 'success', state };
    const response = readBatchResponse(
      result.payload,
      new Set(entries.map((entry) => entry.record.sequenceNumber)),
    );
    if (response.kind === 'success') return { kind: 'success', state };
    if (response.kind === 'invalid') return { kind: 'failure', reason: response.reason };
    const [lowest] = response.failedIds.map((id) => BigInt(id)).sort(compareSequences);
    const index = entries.findIndex((entry) => entry.sequence === lowest);
    return { kind: 'partial', index, state, reason: `item ${lowest} failed` };
  }

  function deliver(entries: readonly Entry[], window: OpenWindow | undefined, state: unknown): void {
    if (window === undefined) {
      for (const entry of entries) entry.done = true;
      return;
    }
    window.entries.push(...entries);
    window.state = state;
    if (Buffer.byteLength(JSON.stringify(state) ?? '') > MAX_WINDOW_STATE_BYTES) {
      window.terminatedEarly = true;
      logger.warn('The window state exceeds 1 MB; the window is terminated early', context);
    }
  }

  async function retryOrDiscard(lane: Lane, batch: Batch, reason: string): Promise<void> {
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
  }

  function countExpired(entries: readonly Entry[], now: number): number {
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
    entries: readonly Entry[],
    condition: FailureCondition,
    batch: Batch,
  ): Promise<void> {
    for (const entry of entries) entry.done = true;
    discardedCount += entries.length;
    const record = buildOnFailureRecord({
      sourceKind,
      requestId: batch.lastRequestId ?? newRequestId(),
      functionArn: options.functionArn,
      condition,
      approximateInvokeCount: batch.invokeCount,
      ...(batch.lastResponse === undefined ? {} : { lastResponse: batch.lastResponse }),
      timestamp: clock.now(),
      shardId,
      streamArn: eventSourceArn,
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

  function ensureWindow(start: number): OpenWindow {
    if (openWindow?.start === start) return openWindow;
    openWindow = {
      start,
      end: start + windowMs,
      state: {},
      entries: [],
      terminatedEarly: false,
      failures: 0,
      notBefore: 0,
    };
    return openWindow;
  }

  async function invokeFinal(window: OpenWindow): Promise<number> {
    let failure: string | undefined;
    try {
      const result = await invoker.invoke(functionName, buildEvent([], window, true));
      if (result.functionError !== undefined) failure = `function error ${result.functionError}`;
      else if (!isRecord(result.payload) || !('state' in result.payload))
        failure = 'the response has no state';
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    if (failure !== undefined) {
      // A failed final invocation suspends the shard until it succeeds.
      // https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html
      window.failures += 1;
      window.notBefore = clock.now() + retryDelay(window.failures);
      logger.warn('The final invocation of the window failed and will be retried', {
        ...context,
        reason: failure,
      });
      return 1;
    }
    for (const entry of window.entries) entry.done = true;
    if (openWindow === window) openWindow = undefined;
    advanceCheckpoint();
    return 1;
  }

  function buildEvent(entries: readonly Entry[], window: OpenWindow | undefined, isFinal: boolean): unknown {
    const extras: StreamEventExtras = { shardId, eventSourceArn };
    if (window !== undefined) {
      extras.tumblingWindow = {
        window: { start: formatWindowTime(window.start), end: formatWindowTime(window.end) },
        state: window.state,
        shardId,
        eventSourceARN: eventSourceArn,
        isFinalInvokeForWindow: isFinal,
        isWindowTerminatedEarly: isFinal && window.terminatedEarly,
      };
    }
    return toEvent(
      entries.map((entry) => entry.record),
      extras,
    );
  }

  async function loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const result = await pollOnce();
        if (result.shardEnded) {
          logger.info('The shard ended; its consumer stops', context);
          return;
        }
        if (result.invocations === 0 && result.discarded === 0) await sleep(pollIntervalMs, signal);
      } catch (error) {
        logger.error('Polling the shard failed', { ...context, ...errorDetails(error) });
        await sleep(pollIntervalMs, signal);
      }
    }
  }

  return {
    pollOnce,
    start() {
      if (!settings.enabled) {
        logger.info('The event source mapping is disabled; the shard is not polled', context);
        return;
      }
      background.start();
    },
    stop: () => background.stop(),
    checkpoint: () => checkpointed,
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

function compareSequences(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
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

/** Window bounds as in AWS's events: `2020-12-09T07:04:00Z`. */
function formatWindowTime(time: number): string {
  return new Date(time).toISOString().replace('.000Z', 'Z');
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

function describeBatch(batch: Batch): Record<string, unknown> {
  return {
    firstSequenceNumber: batch.entries[0]?.record.sequenceNumber,
    lastSequenceNumber: batch.entries.at(-1)?.record.sequenceNumber,
    size: batch.entries.length,
    retries: batch.retries,
  };
}
