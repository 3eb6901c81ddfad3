import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

/** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface EngineLogger {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const realSleep: Sleep = async (ms, signal) => {
  if (signal?.aborted) return;
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if (!(error instanceof Error && error.name === 'AbortError')) throw error;
  }
};

export const consoleLogger: EngineLogger = {
  info: (message, details) => console.info(message, details ?? {}),
  warn: (message, details) => console.warn(message, details ?? {}),
  error: (message, details) => console.error(message, details ?? {}),
};

/** The delay before the next attempt of a batch that failed `failures` times in a row. */
export type RetryDelay = (failures: number) => number;

// AWS does not document the backoff of stream retries; doubling from 1 s keeps a failing function from
// flooding the local logs while a fixed bug is picked up within 30 s.
export const exponentialRetryDelay: RetryDelay = (failures) =>
  Math.min(1000 * 2 ** Math.max(0, failures - 1), 30_000);

export function errorDetails(error: unknown): Record<string, unknown> {
  return error instanceof Error ? { error: error.name, message: error.message } : { error: String(error) };
}
