/**
 * EC2 throttles an account's API calls (RequestLimitExceeded) and expects callers to back off
 * exponentially with jitter. The SDK retries a few times itself; this gives a long task (thousands of
 * deletions) more patience than one request's retries, with full jitter.
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html
 */
const THROTTLING_ERRORS = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException']);

export interface BackoffOptions {
  sleep: (ms: number) => Promise<void>;
  /** Attempts in all, the first included. */
  maxAttempts?: number;
  baseMs?: number;
  maxDelayMs?: number;
  random?: () => number;
  /** Told of every backoff (counted in the run). */
  onThrottled?: (attempt: number, delayMs: number) => void;
}

export function isThrottling(error: unknown): boolean {
  return error instanceof Error && THROTTLING_ERRORS.has(error.name);
}

export async function withBackoff<T>(call: () => Promise<T>, options: BackoffOptions): Promise<T> {
  const { sleep, maxAttempts = 8, baseMs = 200, maxDelayMs = 20_000, random = Math.random } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error) || attempt >= maxAttempts) throw error;
      const delayMs = Math.floor(random() * Math.min(maxDelayMs, baseMs * 2 ** (attempt - 1)));
      options.onThrottled?.(attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
