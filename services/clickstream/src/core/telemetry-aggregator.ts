import type { TelemetryReading } from '@serverless-patterns/shared/schemas/events';
import type { RecordOutcome } from './aggregate-recorder';
import type { DecodedReading, StreamRecord } from './telemetry-records';
import { decodeReadings } from './telemetry-records';
import type { AggregatePart, WindowState } from './telemetry-window';

/** A tumbling-window invocation, in core's terms (the handler maps Lambda's event to it). */
export interface WindowInvocation {
  records: readonly StreamRecord[];
  shardId: string;
  window: { start: string; end: string };
  state: unknown;
  isFinal: boolean;
  terminatedEarly: boolean;
}

export interface AggregatorDeps {
  tallies: {
    accumulate(
      state: unknown,
      readings: readonly TelemetryReading[],
    ): { state: WindowState; counted: number; duplicates: number };
    parts(state: unknown, window: { start: string; end: string }): AggregatePart[];
  };
  errors: {
    send(shardId: string, malformed: readonly Extract<DecodedReading, { ok: false }>[]): Promise<void>;
  };
  aggregates: { record(part: AggregatePart): Promise<RecordOutcome> };
}

export interface AggregatorOutcome {
  state: WindowState | Record<string, never>;
  counted: number;
  duplicates: number;
  malformed: number;
  saved: number;
}

const WRITERS = 16;

/** `work` over `items`, at most `size` at a time; the first failure fails the whole (after the rest settle). */
async function inPool<T, R>(items: readonly T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(size, items.length) }, worker));
  const failed = settled.find((outcome) => outcome.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  return results;
}

/**
 * The aggregator: readings into the window's tallies, malformed ones to the error stream; on the
 * window's final invocation, one aggregate part per device into the aggregates table.
 */
export function createTelemetryAggregator({ tallies, errors, aggregates }: AggregatorDeps) {
  return {
    async handle(invocation: WindowInvocation): Promise<AggregatorOutcome> {
      const decoded = decodeReadings(invocation.records);
      const readings: TelemetryReading[] = [];
      const malformed: Extract<DecodedReading, { ok: false }>[] = [];
      for (const entry of decoded) {
        if (entry.ok) readings.push(entry.reading);
        else malformed.push(entry);
      }
      // First the error stream: if it fails, the invocation fails and the state has not moved on.
      await errors.send(invocation.shardId, malformed);
      const { state, counted, duplicates } = tallies.accumulate(invocation.state, readings);
      if (!invocation.isFinal) return { state, counted, duplicates, malformed: malformed.length, saved: 0 };

      // Devices are independent: their writes go side by side, a few at a time, so that the window's
      // aggregates (and their alerts) follow its end closely even with many devices on the shard.
      const outcomes = await inPool(tallies.parts(state, invocation.window), WRITERS, (part) =>
        aggregates.record(part),
      );
      const saved = outcomes.filter((outcome) => outcome === 'saved').length;
      return { state: {}, counted, duplicates, malformed: malformed.length, saved };
    },
  };
}
