/**
 * Tumbling windows (TumblingWindowInSeconds): the records of a shard are grouped by the window their
 * arrival time falls in; the function's `state` flows from one invocation of a window to the next, and
 * a final invocation with no records (isFinalInvokeForWindow) closes it. The records of a window are
 * checkpointed only once that final invocation succeeds.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html
 */
import { isRecord } from './batch-item-failures';
import type { Lane } from './lanes';
import type { Clock, EngineLogger, RetryDelay } from './scheduling';
import type { PendingRecord, StreamRecord } from './shard-records';

/** The fields a tumbling window adds to the event, next to `Records`. */
export interface TumblingWindowFields {
  window: { start: string; end: string };
  state: unknown;
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

export interface OpenWindow {
  start: number;
  end: number;
  state: unknown;
  /** Delivered records, checkpointed once the final invocation succeeds. */
  entries: PendingRecord[];
  terminatedEarly: boolean;
  failures: number;
  notBefore: number;
}

export interface TumblingWindows {
  /** Whether the mapping has a TumblingWindowInSeconds. */
  readonly enabled: boolean;
  /** The window whose records are being delivered, until its final invocation succeeds. */
  readonly open: OpenWindow | undefined;
  /** Start of the window `record` belongs to (0 without windows). */
  startOf(record: StreamRecord): number;
  /** The window a batch is delivered in (opened by its first record), or undefined without windows. */
  enter(entries: readonly PendingRecord[]): OpenWindow | undefined;
  /** Whether the open window must close before `lane` goes on: its time is up, or its last batch is done. */
  isClosing(lane: Lane, now: number, shardEnded: boolean): boolean;
  /** Records the function has processed, and the state it returned (kept for the window's next invocation). */
  deliver(entries: readonly PendingRecord[], window: OpenWindow | undefined, state: unknown): void;
  /** The event's window fields. */
  fields(window: OpenWindow, isFinal: boolean): TumblingWindowFields;
  /** `undefined` when the final invocation succeeded, else why it failed. */
  finalFailure(response: { functionError?: string; payload?: unknown }): string | undefined;
  /** A failed final invocation suspends the shard until it succeeds. */
  suspend(window: OpenWindow, reason: string): void;
  /** The final invocation succeeded: the window's records are done. */
  close(window: OpenWindow): void;
}

// Beyond 1 MB of state per shard, Lambda terminates the window early.
export const MAX_WINDOW_STATE_BYTES = 1024 * 1024;

export function createTumblingWindows(options: {
  seconds: number;
  shardId: string;
  eventSourceArn: string;
  clock: Clock;
  retryDelay: RetryDelay;
  logger: EngineLogger;
  context: Record<string, unknown>;
}): TumblingWindows {
  const { shardId, eventSourceArn, clock, logger, context } = options;
  const windowMs = options.seconds * 1000;
  let open: OpenWindow | undefined;

  function ensureWindow(start: number): OpenWindow {
    if (open?.start === start) return open;
    open = {
      start,
      end: start + windowMs,
      state: {},
      entries: [],
      terminatedEarly: false,
      failures: 0,
      notBefore: 0,
    };
    return open;
  }

  return {
    enabled: windowMs > 0,
    get open() {
      return open;
    },
    startOf: (record) =>
      windowMs > 0 ? Math.floor(record.approximateArrivalTimestamp / windowMs) * windowMs : 0,
    enter: (entries) => (windowMs > 0 ? ensureWindow(entries[0]?.window ?? 0) : undefined),
    isClosing(lane, now, shardEnded) {
      if (open === undefined) return false;
      if (open.terminatedEarly) return true;
      if (lane.batches.length > 0) return false;
      const next = lane.fresh[0];
      if (next !== undefined) return next.window !== open.start;
      return now >= open.end || shardEnded;
    },
    deliver(entries, window, state) {
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
    },
    fields: (window, isFinal) => ({
      window: { start: formatWindowTime(window.start), end: formatWindowTime(window.end) },
      state: window.state,
      shardId,
      eventSourceARN: eventSourceArn,
      isFinalInvokeForWindow: isFinal,
      isWindowTerminatedEarly: isFinal && window.terminatedEarly,
    }),
    finalFailure(response) {
      if (response.functionError !== undefined) return `function error ${response.functionError}`;
      if (!isRecord(response.payload) || !('state' in response.payload)) return 'the response has no state';
      return undefined;
    },
    suspend(window, reason) {
      window.failures += 1;
      window.notBefore = clock.now() + options.retryDelay(window.failures);
      logger.warn('The final invocation of the window failed and will be retried', { ...context, reason });
    },
    close(window) {
      for (const entry of window.entries) entry.done = true;
      if (open === window) open = undefined;
    },
  };
}

/** Window bounds as in AWS's events: `2020-12-09T07:04:00Z`. */
function formatWindowTime(time: number): string {
  return new Date(time).toISOString().replace('.000Z', 'Z');
}
