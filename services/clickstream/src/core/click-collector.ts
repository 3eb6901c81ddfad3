import { ServiceUnavailableError } from '@serverless-patterns/shared/errors';
import type { ClickEvent } from '@serverless-patterns/shared/schemas/events';

/** What the collector needs of the delivery stream: a batch put that may fail some records. */
export interface ClickStream {
  /** One entry per record, in order: accepted, or refused with Firehose's error code. */
  putBatch(
    records: readonly Buffer[],
  ): Promise<({ accepted: true } | { accepted: false; errorCode: string })[]>;
}

/** PutRecordBatch's limits: https://docs.aws.amazon.com/firehose/latest/dev/limits.html */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface CollectorOptions {
  stream: ClickStream;
  /** Tries of a record in all, the first included. */
  maxAttempts?: number;
  /** Backoff before retry n: a random wait up to min(maxDelayMs, baseDelayMs * 2^n) ("full jitter"). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/**
 * Puts clicks into the delivery stream. PutRecordBatch fails records alone (FailedPutCount, an
 * ErrorCode per record, typically throttling): only those are sent again, after a backoff with
 * jitter, so that nothing is sent twice and producers do not retry in step. What is still refused
 * after the last try is reported, never dropped: the caller answers 503 and the page sends them again.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function createClickCollector({
  stream,
  maxAttempts = 4,
  baseDelayMs = 50,
  maxDelayMs = 1_000,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random = Math.random,
}: CollectorOptions) {
  return {
    async collect(clicks: readonly ClickEvent[]): Promise<{ accepted: number }> {
      // A newline after each, so that the source-record backup is JSON lines too.
      const records = clicks.map((click) => Buffer.from(`${JSON.stringify(click)}\n`));
      let pending = records.map((_, index) => index);
      let lastError = '';
      for (let attempt = 1; pending.length > 0 && attempt <= maxAttempts; attempt += 1) {
        if (attempt > 1) await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
        const refused: number[] = [];
        for (const chunk of batches(pending, records)) {
          const results = await stream
            .putBatch(chunk.map((index) => records[index] as Buffer))
            .catch((error: unknown) => {
              lastError = error instanceof Error ? error.name : String(error);
              return chunk.map(() => ({ accepted: false as const, errorCode: lastError }));
            });
          results.forEach((result, position) => {
            if (result.accepted) return;
            lastError = result.errorCode;
            refused.push(chunk[position] as number);
          });
        }
        pending = refused;
      }
      if (pending.length > 0) {
        throw new ServiceUnavailableError(
          `${pending.length} of ${clicks.length} clicks were not accepted (${lastError}); send them again`,
          { details: pending.map((index) => ({ path: `clicks.${index}`, message: lastError })) },
        );
      }
      return { accepted: clicks.length };
    },
  };
}

/** The indexes of `pending`, in calls within PutRecordBatch's limits. */
function batches(pending: readonly number[], records: readonly Buffer[]): number[][] {
  const chunks: number[][] = [];
  let chunk: number[] = [];
  let bytes = 0;
  for (const index of pending) {
    const size = (records[index] as Buffer).length;
    if (chunk.length === MAX_BATCH_RECORDS || (chunk.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(index);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}
