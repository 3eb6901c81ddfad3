/**
 * The background loop of an event source mapping, for shards and queues alike: polls until stop(),
 * pauses after a poll that found nothing to do, survives a failing poll (logged, then paused), and
 * never starts for a disabled mapping. stop() resolves once the poll under way has returned, so that
 * no invocation outlives the local cloud.
 */
import { type EngineLogger, errorDetails, type Sleep } from './scheduling';

/** What a poll means for the loop: poll again at once, pause first, or stop for good. */
export type PollVerdict = 'busy' | 'idle' | 'finished';

export interface Poller {
  /** Polls until stop(); a disabled mapping does not poll. */
  start(): void;
  /** Resolves once the poll under way has returned. */
  stop(): Promise<void>;
  /** Aborted by stop(); undefined while the loop is not running. Long waits inside a poll end on it. */
  readonly signal: AbortSignal | undefined;
}

export function createPoller<Result>(options: {
  /** What is polled, in the log lines: 'shard', 'queue'. */
  source: string;
  enabled: boolean;
  pollOnce: () => Promise<Result>;
  verdict: (result: Result) => PollVerdict;
  pollIntervalMs: number;
  sleep: Sleep;
  logger: EngineLogger;
  context: Record<string, unknown>;
}): Poller {
  const { source, sleep, logger, context, pollIntervalMs } = options;
  let abort: AbortController | undefined;
  let running: Promise<void> | undefined;

  async function loop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        const verdict = options.verdict(await options.pollOnce());
        if (verdict === 'finished') {
          logger.info(`The ${source} ended; its consumer stops`, context);
          return;
        }
        if (verdict === 'idle') await sleep(pollIntervalMs, signal);
      } catch (error) {
        logger.error(`Polling the ${source} failed`, { ...context, ...errorDetails(error) });
        await sleep(pollIntervalMs, signal);
      }
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
    async stop() {
      abort?.abort();
      await running;
      running = undefined;
      abort = undefined;
    },
  };
}
