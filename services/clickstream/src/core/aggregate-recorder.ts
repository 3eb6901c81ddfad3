import { type AggregatePart, addPart, type StoredAggregate } from './telemetry-window';

/** The aggregates table as the recorder needs it: read one window, write it if nobody wrote meanwhile. */
export interface AggregateStore {
  get(
    deviceId: string,
    windowStart: string,
  ): Promise<{ aggregate: StoredAggregate; version: number } | undefined>;
  /** 'conflict' when the item is no longer at `expectedVersion` (undefined: when it exists at all). */
  put(aggregate: StoredAggregate, expectedVersion: number | undefined): Promise<'saved' | 'conflict'>;
}

export type RecordOutcome = 'saved' | 'already-counted';

/** Writes that lost a race are read and merged again; a device's window has one writer in practice. */
const MAX_TRIES = 5;

/**
 * Adds a window's part to the device's aggregate. A replayed final invocation finds its part already
 * there and changes nothing; a part of a window Lambda ended early adds to the parts before it. Each
 * write is conditional on the version read, so that two writers never lose each other's part.
 *
 * The first write assumes the window is new (conditional on no item), as it is but for replays and
 * windows ended early: one call per device instead of a read and a write, so that the final invocation
 * of a window of many devices ends sooner (DynamoDB Local took 400-600 writes a second, measured).
 */
export function createAggregateRecorder({ store }: { store: AggregateStore }) {
  return {
    async record(part: AggregatePart): Promise<RecordOutcome> {
      if ((await store.put(addPart(undefined, part), undefined)) === 'saved') return 'saved';
      for (let attempt = 2; ; attempt += 1) {
        const current = await store.get(part.deviceId, part.windowStart);
        const next = addPart(current?.aggregate, part);
        if (next === 'already-counted') return next;
        if ((await store.put(next, current?.version)) === 'saved') return 'saved';
        if (attempt === MAX_TRIES) {
          throw new Error(
            `aggregate ${part.deviceId} ${part.windowStart} kept changing under ${MAX_TRIES} writes`,
          );
        }
      }
    },
  };
}
