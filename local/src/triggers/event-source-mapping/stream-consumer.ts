/**
 * The event source mapping of ONE shard of a Kinesis data stream or DynamoDB stream, as Lambda runs it:
 * reads (iterator-recovery.ts), filters, batches per lane (lanes.ts), invokes, reads the partial batch
 * response, checkpoints, and retries or gives up (give-up.ts), with tumbling windows
 * (tumbling-windows.ts); the background loop is the one every mapping uses (poller.ts).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 */
import { randomUUID } from 'node:crypto';
import type { FailureDestination, InvokeResult, LambdaInvoker } from '../../lambda/invoker';
import { isRecord, readBatchResponse } from './batch-item-failures';
import { createGiveUp } from './give-up';
import { createShardCursor } from './iterator-recovery';
import { type Batch, createLanes, type Lane } from './lanes';
import { eventBytes, maxBatchBytes } from './payload-limit';
import { createPoller, type PollPace, paceOf } from './poller';
import {
  type Clock,
  consoleLogger,
  type EngineLogger,
  errorDetails,
  exponentialRetryDelay,
  type RetryDelay,
  realSleep,
  type Sleep,
  systemClock,
} from './scheduling';
import type { EventSourceMappingSettings } from './settings';
import {
  compareSequences,
  type PendingRecord,
  type ShardPosition,
  type ShardReader,
  type StreamRecord,
} from './shard-records';
import { createTumblingWindows, type OpenWindow, type TumblingWindowFields } from './tumbling-windows';

export { MAX_ITERATOR_FAILURES } from './iterator-recovery';
export { laneFor } from './lanes';
export type { ShardPosition, ShardReader, ShardReadResult, StreamRecord } from './shard-records';
export { orderingKey } from './shard-records';
export type { TumblingWindowFields } from './tumbling-windows';

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
  /**
   * Pause between reads of an idle shard (Lambda polls a shard about once a second); a PollPace reads
   * quickly while records flow and slows down while the shard stays quiet.
   */
  pace?: PollPace | number;
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
  /** Records have likely arrived: a quiet shard is read again soon (Poller.wake). */
  wake(): void;
}

type Work = { kind: 'batch'; lane: Lane; batch: Batch } | { kind: 'final'; window: OpenWindow };

type Outcome =
  | { kind: 'success'; state?: unknown }
  | { kind: 'partial'; index: number; state?: unknown; reason: string }
  | { kind: 'failure'; reason: string };

const DEFAULT_POLL_INTERVAL_MS = 1000;

export function createShardConsumer(options: ShardConsumerOptions): ShardConsumer {
  const { settings, invoker, shardId, eventSourceArn, functionName } = options;
  const kind = settings.sourceKind;
  if (kind === 'sqs') throw new TypeError('createShardConsumer reads Kinesis and DynamoDB streams only');
  const toEvent = options.toEvent ?? toStreamEvent;
  const matches = options.matches ?? (() => true);
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const logger = options.logger ?? consoleLogger;
  const retryDelay = options.retryDelay ?? exponentialRetryDelay;
  const pace = paceOf(options.pace ?? DEFAULT_POLL_INTERVAL_MS);
  const newRequestId = options.newRequestId ?? randomUUID;
  const context = { shardId, functionName };
  const giveUp = createGiveUp({
    settings,
    sourceKind: kind,
    functionArn: options.functionArn,
    eventSourceArn,
    shardId,
    ...(options.destination ? { destination: options.destination } : {}),
    clock,
    retryDelay,
    logger,
    context,
    newRequestId,
  });
  const windows = createTumblingWindows({
    seconds: settings.tumblingWindowInSeconds,
    shardId,
    eventSourceArn,
    clock,
    retryDelay,
    logger,
    context,
  });
  const lanes = createLanes({
    // The window state is per shard and flows from one invocation to the next, so windows run on one lane.
    count: windows.enabled ? 1 : settings.parallelizationFactor,
    batchSize: settings.batchSize,
    batchingWindowMs: settings.maximumBatchingWindowInSeconds * 1000,
    maxBatchBytes: maxBatchBytes({ windowState: windows.enabled }),
  });
  const cursor = createShardCursor({
    reader: options.reader,
    settings,
    ...(options.startPosition ? { startPosition: options.startPosition } : {}),
    checkpoint: () => checkpointed,
    logger,
    context,
  });
  const poller = createPoller({
    source: 'shard',
    enabled: settings.enabled,
    pollOnce: () => pollOnce(),
    verdict: (result) =>
      result.shardEnded ? 'finished' : result.invocations === 0 && result.discarded === 0 ? 'idle' : 'busy',
    pace,
    // The open window's final invocation is due at its end (or its retry's), records or not.
    dueAt: () => {
      const window = windows.open;
      const due = window === undefined ? undefined : Math.max(window.end, window.notBefore);
      return due !== undefined && due > clock.now() ? due : undefined;
    },
    sleep,
    clock,
    logger,
    context,
  });

  /** Every record read and not yet checkpointed, in shard order. */
  const pending: PendingRecord[] = [];
  let checkpointed: string | undefined;
  let shardEnded = false;

  async function fill(): Promise<void> {
    if (shardEnded || lanes.room() <= 0) return;
    const read = await cursor.read(lanes.room());
    const now = clock.now();
    for (const record of read.records) {
      const entry: PendingRecord = {
        record,
        sequence: BigInt(record.sequenceNumber),
        done: false,
        window: windows.startOf(record),
        bytes: eventBytes(record.body),
      };
      pending.push(entry);
      // Records that match no filter are never delivered; the iterator moves past them.
      // https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
      if (safelyMatches(record)) lanes.add(entry, now);
      else entry.done = true;
    }
    if (read.shardEnded) shardEnded = true;
    advanceCheckpoint();
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
    // One splice for the whole done prefix: shift() per record moved the rest of a backlog of tens of
    // thousands each time (1.2 s of the cloud's CPU in the telemetry bench).
    let doneCount = 0;
    while (pending[doneCount]?.done) doneCount += 1;
    const last = pending[doneCount - 1];
    if (last === undefined) return;
    pending.splice(0, doneCount);
    checkpointed = last.record.sequenceNumber;
    options.onCheckpoint?.(checkpointed);
  }

  function nextWork(lane: Lane, now: number): Work | undefined {
    const window = windows.open;
    if (window !== undefined && windows.isClosing(lane, now, shardEnded)) {
      return window.notBefore <= now ? { kind: 'final', window } : undefined;
    }
    const head = lane.batches[0];
    if (head !== undefined) return head.notBefore <= now ? { kind: 'batch', lane, batch: head } : undefined;
    const batch = lanes.takeBatch(lane, now);
    return batch === undefined ? undefined : { kind: 'batch', lane, batch };
  }

  /** When waiting can make work ready: a retry's backoff or the end of a batching window. */
  function nextWake(now: number): number | undefined {
    const times: number[] = [];
    for (const lane of lanes.all) {
      const window = windows.open;
      if (window !== undefined && windows.isClosing(lane, now, shardEnded)) times.push(window.notBefore);
      else if (lane.batches[0] !== undefined) times.push(lane.batches[0].notBefore);
      else if (lane.fresh.length > 0) times.push(lanes.gatheringEnds(lane));
    }
    const future = times.filter((time) => time > now);
    return future.length > 0 ? Math.min(...future) : undefined;
  }

  async function pollOnce(): Promise<PollResult> {
    const discardedBefore = giveUp.discarded;
    const result = (invocations: number): PollResult => ({
      invocations,
      discarded: giveUp.discarded - discardedBefore,
      shardEnded: shardEnded && pending.length === 0 && windows.open === undefined,
    });
    await fill();
    for (;;) {
      const now = clock.now();
      const work = lanes.all.map((lane) => nextWork(lane, now)).filter((item) => item !== undefined);
      if (work.length > 0) {
        // The next records are read while these batches are out, so that the next batch is in hand when
        // they return (telemetry bench, 300,000 plain readings: the last aggregate 4.6-5.4 s after the
        // last put, against 6.3-6.6 s reading after invoking). A read that fails is reported only once
        // the invocations are recorded, so that none is still under way when the poll ends.
        const [performed, readAhead] = await Promise.allSettled([Promise.all(work.map(perform)), fill()]);
        if (performed.status === 'rejected') throw performed.reason;
        if (readAhead.status === 'rejected') throw readAhead.reason;
        return result(performed.value.reduce((sum, count) => sum + count, 0));
      }
      const wakeAt = nextWake(now);
      if (wakeAt === undefined || poller.signal?.aborted) return result(0);
      await sleep(Math.min(wakeAt - now, pace.fastestMs), poller.signal);
      if (poller.signal?.aborted) return result(0);
      await fill();
    }
  }

  async function perform(work: Work): Promise<number> {
    return work.kind === 'final' ? invokeFinal(work.window) : invokeBatch(work.lane, work.batch);
  }

  async function invokeBatch(lane: Lane, batch: Batch): Promise<number> {
    await giveUp.dropExpired(batch, clock.now());
    if (batch.entries.length === 0) {
      lane.batches.shift();
      advanceCheckpoint();
      return 0;
    }
    const window = windows.enter(batch.entries);
    const requestId = newRequestId();
    let result: InvokeResult;
    try {
      result = await invoker.invoke(functionName, buildEvent(batch.entries, window, false));
    } catch (error) {
      giveUp.unreached(batch, error);
      return 1;
    }
    batch.invokeCount += 1;
    batch.lastRequestId = requestId;
    batch.lastResponse = result;
    const outcome = readOutcome(result, batch.entries, window !== undefined);
    if (outcome.kind === 'success') {
      windows.deliver(batch.entries, window, outcome.state);
      lane.batches.shift();
    } else if (outcome.kind === 'partial') {
      // Checkpoint at the lowest failed sequence number and retry from there.
      // https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html
      windows.deliver(batch.entries.slice(0, outcome.index), window, outcome.state);
      batch.entries = batch.entries.slice(outcome.index);
      await giveUp.retryOrDiscard(lane, batch, outcome.reason);
    } else if (!giveUp.bisect(lane, batch, outcome.reason)) {
      await giveUp.retryOrDiscard(lane, batch, outcome.reason);
    }
    advanceCheckpoint();
    return 1;
  }

  function readOutcome(result: InvokeResult, entries: readonly PendingRecord[], windowed: boolean): Outcome {
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

  async function invokeFinal(window: OpenWindow): Promise<number> {
    let failure: string | undefined;
    try {
      failure = windows.finalFailure(await invoker.invoke(functionName, buildEvent([], window, true)));
    } catch (error) {
      failure = error instanceof Error ? error.message : String(error);
    }
    if (failure !== undefined) {
      windows.suspend(window, failure);
      return 1;
    }
    windows.close(window);
    advanceCheckpoint();
    return 1;
  }

  function buildEvent(
    entries: readonly PendingRecord[],
    window: OpenWindow | undefined,
    isFinal: boolean,
  ): unknown {
    const extras: StreamEventExtras = { shardId, eventSourceArn };
    if (window !== undefined) extras.tumblingWindow = windows.fields(window, isFinal);
    return toEvent(
      entries.map((entry) => entry.record),
      extras,
    );
  }

  return {
    pollOnce,
    start: () => poller.start(),
    stop: () => poller.stop(),
    checkpoint: () => checkpointed,
    wake: () => poller.wake(),
  };
}
