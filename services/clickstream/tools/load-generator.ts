import type { ClickEvent } from '@serverless-patterns/shared/schemas/events';

export interface SendResult {
  accepted: number;
  failed: number;
}

export interface LoadOptions<Item = ClickEvent> {
  /** Clicks per second. */
  rate: number;
  durationMs: number;
  /** Clicks per call (PutRecordBatch: at most 500; POST /clicks: at most 100). */
  batchSize: number;
  /** Calls in flight at once. */
  concurrency: number;
  /** The next item to send (a click; a thermostat's reading for `npm run thermostats`). */
  nextClick: () => Item;
  send: (clicks: Item[]) => Promise<SendResult>;
  onProgress?: (progress: LoadProgress) => void;
  clock?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface LoadProgress {
  sent: number;
  accepted: number;
  failed: number;
  elapsedMs: number;
}

export interface LoadReport extends LoadProgress {
  /** How long each call took, in milliseconds (retries of refused records included). */
  latenciesMs: number[];
}

/**
 * Sends `rate` clicks a second for `durationMs`, in batches, with at most `concurrency` calls in
 * flight: clicks are made when they are due, so that their timestamps are the send times. A
 * target slower than the rate falls behind, and the report says so (sent/elapsed).
 */
export async function generateLoad<Item = ClickEvent>(options: LoadOptions<Item>): Promise<LoadReport> {
  const clock = options.clock ?? (() => performance.now());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const report: LoadReport = { sent: 0, accepted: 0, failed: 0, elapsedMs: 0, latenciesMs: [] };
  const total = Math.round((options.rate * options.durationMs) / 1000);
  const inFlight = new Set<Promise<void>>();
  const started = clock();

  const sendBatch = (count: number) => {
    const clicks = Array.from({ length: count }, options.nextClick);
    report.sent += count;
    const callStarted = clock();
    const call = options
      .send(clicks)
      .catch(() => ({ accepted: 0, failed: count }))
      .then((result) => {
        report.latenciesMs.push(clock() - callStarted);
        report.accepted += result.accepted;
        report.failed += result.failed;
        options.onProgress?.({ ...report, elapsedMs: clock() - started });
      });
    const tracked = call.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  };

  while (report.sent < total) {
    const elapsed = clock() - started;
    const due = Math.min(total, Math.floor((options.rate * elapsed) / 1000)) - report.sent;
    const lastBatch = elapsed >= options.durationMs;
    if (inFlight.size < options.concurrency && (due >= options.batchSize || (lastBatch && due > 0))) {
      sendBatch(Math.min(due, options.batchSize));
      continue;
    }
    if (inFlight.size >= options.concurrency) await Promise.race(inFlight);
    else await sleep(Math.max(1, ((options.batchSize - due) * 1000) / options.rate));
  }
  await Promise.all(inFlight);
  report.elapsedMs = clock() - started;
  return report;
}
