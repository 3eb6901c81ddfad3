/** What a producer needs of a Firehose delivery stream: a batch put that may refuse some records. */
export interface RecordStream {
  /** One entry per record, in order: accepted, or refused with Firehose's error code. */
  putBatch(
    records: readonly Buffer[],
  ): Promise<({ accepted: true } | { accepted: false; errorCode: string })[]>;
}

/** PutRecordBatch's limits: https://docs.aws.amazon.com/firehose/latest/dev/limits.html */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

export interface PutterOptions {
  stream: RecordStream;
  /** Tries of a record in all, the first included; Infinity: until it is accepted. */
  maxAttempts?: number;
  /** Backoff before retry n: a random wait up to min(maxDelayMs, baseDelayMs * 2^n) ("full jitter"). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface PutOutcome {
  /** Indexes of the records still refused after the last try. */
  refused: number[];
  /** Firehose's error code of the last refusal, if any. */
  lastError?: string;
  /** Calls made, for producers that measure them. */
  calls: number;
}

/**
 * Puts records into a delivery stream, in calls within PutRecordBatch's limits. Firehose refuses
 * records alone (FailedPutCount, an ErrorCode per record, typically throttling): only those are sent
 * again, after a backoff with jitter, so that nothing accepted is sent twice and producers do not
 * retry in step. A call that fails as a whole counts as every record of it refused.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function createRecordPutter({
  stream,
  maxAttempts = 4,
  baseDelayMs = 50,
  maxDelayMs = 1_000,
  sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random = Math.random,
}: PutterOptions) {
  return {
    async putAll(records: readonly Buffer[]): Promise<PutOutcome> {
      let pending = records.map((_, index) => index);
      let lastError: string | undefined;
      let calls = 0;
      for (let attempt = 1; pending.length > 0 && attempt <= maxAttempts; attempt += 1) {
        if (attempt > 1) await sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
        const refused: number[] = [];
        for (const chunk of batches(pending, records)) {
          calls += 1;
          const results = await stream
            .putBatch(chunk.map((index) => records[index] as Buffer))
            .catch((error: unknown) => {
              const errorCode = error instanceof Error ? error.name : String(error);
              return chunk.map(() => ({ accepted: false as const, errorCode }));
            });
          results.forEach((result, position) => {
            if (result.accepted) return;
            lastError = result.errorCode;
            refused.push(chunk[position] as number);
          });
        }
        pending = refused;
      }
      return { refused: pending, calls, ...(lastError === undefined ? {} : { lastError }) };
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
