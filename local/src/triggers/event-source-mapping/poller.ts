/**
 * The background loop of an event source mapping, for shards and queues alike: polls until stop(),
 * pauses after a poll that found nothing to do (longer and longer while the source stays quiet, as
 * fast as allowed again once records flow), survives a failing poll (logged, then paused), and never
 * starts for a disabled mapping. stop() resolves once the poll under way has returned, so that no
 * invocation outlives the local cloud.
 */
import { type Clock, type EngineLogger, errorDetails, type Sleep, systemClock } from './scheduling';

/** What a poll means for the loop: poll again at once, pause first, or stop for good. */
export type PollVerdict = 'busy' | 'idle' | 'finished';

/**
 * How long the loop pauses after a poll that found nothing: `fastestMs` while records flow and for
 * `quietAfterMs` after the last that did, so that a burst is read as it comes; then each quiet poll
 * waits twice as long as the one before, up to `slowestMs`.
 */
export interface PollPace {
  fastestMs: number;
  slowestMs: number;
  quietAfterMs: number;
  /** The shortest time between two polls when wake() cuts a quiet pause short; default 0. */
  wokenMs?: number;
}

export interface Poller {
  /** Polls until stop(); a disabled mapping does not poll. */
  start(): void;
  /** Resolves once the poll under way has returned. */
  stop(): Promise<void>;
  /**
   * Something has likely arrived: the quiet pause under way (or, woken during a poll, the next one)
   * ends, and the source is polled once more, no sooner than `wokenMs` after the poll before. The pace
   * stays as it was unless that poll finds work.
   */
  wake(): void;
  /** Aborted by stop(); undefined while the loop is not running. Long waits inside a poll end on it. */
  readonly signal: AbortSignal | undefined;
}

/** A fixed pause is a pace that never slows down. */
export function paceOf(pace: PollPace | number): PollPace {
  return typeof pace === 'number' ? { fastestMs: pace, slowestMs: pace, quietAfterMs: 0 } : pace;
}

/** The pause before each poll: call `busy()` after a poll that found work, `quiet()` for the next pause. */
export function createPace(pace: PollPace, clock: Clock = systemClock) {
  let lastBusyAt = clock.now();
  let pause = pace.fastestMs;
  return {
    busy(): void {
      lastBusyAt = clock.now();
      pause = pace.fastestMs;
    },
    quiet(): number {
      if (clock.now() - lastBusyAt < pace.quietAfterMs) return pace.fastestMs;
      pause = Math.min(pace.slowestMs, Math.max(pace.fastestMs, pause * 2));
      return pause;
    },
  };
}

export function createPoller<Result>(options: {
  /** What is polled, in the log lines: 'shard', 'queue'. */
  source: string;
  enabled: boolean;
  pollOnce: () => Promise<Result>;
  verdict: (result: Result) => PollVerdict;
  /** The pace of the loop; a number is a fixed pause after every poll that found nothing. */
  pace: PollPace | number;
  /** When the source has work due whatever arrives (a tumbling window's end): a quiet pause ends then. */
  dueAt?: (result: Result) => number | undefined;
  sleep: Sleep;
  clock?: Clock;
  logger: EngineLogger;
  context: Record<string, unknown>;
}): Poller {
  const { source, sleep, logger, context } = options;
  const pace = paceOf(options.pace);
  let abort: AbortController | undefined;
  let running: Promise<void> | undefined;
  /** Cuts the quiet pause under way short, `afterMs` from now; undefined while none is under way. */
  let cutPause: ((afterMs: number) => void) | undefined;
  /** A wake that came during a poll: what that poll read may predate it, so the next pause is cut. */
  let wokenDuringPoll = false;
  let lastPollAt = Number.NEGATIVE_INFINITY;

  const clock = options.clock ?? systemClock;
  const untilWoken = () => Math.max(0, lastPollAt + (pace.wokenMs ?? 0) - clock.now());
  function untilDue(pause: number, dueAt: number | undefined): number {
    return dueAt === undefined ? pause : Math.max(0, Math.min(pause, dueAt - clock.now()));
  }

  async function loop(signal: AbortSignal): Promise<void> {
    const pauses = createPace(pace, options.clock);
    while (!signal.aborted) {
      try {
        lastPollAt = clock.now();
        wokenDuringPoll = false;
        const result = await options.pollOnce();
        const verdict = options.verdict(result);
        if (verdict === 'finished') {
          logger.info(`The ${source} ended; its consumer stops`, context);
          return;
        }
        if (verdict === 'busy') pauses.busy();
        else await pause(untilDue(pauses.quiet(), options.dueAt?.(result)), signal);
      } catch (error) {
        logger.error(`Polling the ${source} failed`, { ...context, ...errorDetails(error) });
        await sleep(pauses.quiet(), signal);
      }
    }
  }

  async function pause(ms: number, signal: AbortSignal): Promise<void> {
    const ended = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    cutPause = (afterMs) => {
      timer ??= setTimeout(() => ended.abort(), afterMs);
    };
    if (wokenDuringPoll) cutPause(untilWoken());
    try {
      await sleep(ms, AbortSignal.any([signal, ended.signal]));
    } finally {
      clearTimeout(timer);
      cutPause = undefined;
    }
  }

  return {
    get signal() {
      return abort?.signal;
    },
    start() {
      if (!options.enabled) {
        logger.info(`The event source mapping is disabled; the ${source} is not polled`, context);
        return;
      }
      if (running !== undefined) return;
      abort = new AbortController();
      running = loop(abort.signal);
    },
    wake() {
      if (cutPause === undefined) wokenDuringPoll = true;
      else cutPause(untilWoken());
    },
    async stop() {
      abort?.abort();
      await running;
      running = undefined;
      abort = undefined;
    },
  };
}
