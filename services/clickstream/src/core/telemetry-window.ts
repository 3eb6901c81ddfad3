import type { TelemetryReading } from '@serverless-patterns/shared/schemas/events';

// The 1-minute window per device, on Lambda's tumbling windows: the event source mapping hands each
// invocation the state the previous one returned, and a final invocation (isFinalInvokeForWindow) closes
// the window. https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html
// The state is JSON that Lambda carries between invocations; it is limited to 1 MB per shard, beyond
// which Lambda ends the window early (isWindowTerminatedEarly) and starts a new one for the same time.

/** One device's tally in a window: what an aggregate needs, and the reading ids already counted. */
export interface DeviceTally {
  sum: number;
  count: number;
  min: number;
  max: number;
  /**
   * The reading ids counted, in order, joined by commas (a character no reading id has): one JSON
   * string per device is far cheaper for Lambda to carry than an array of many. A reading id seen
   * again in the window is not counted again.
   */
  ids: string;
}

/** The state the aggregator returns and gets back: every device of the shard seen in this window. */
export interface WindowState {
  /** Names this exact state, so that a container that made it can reuse its in-memory form. */
  token?: string;
  devices: Record<string, DeviceTally>;
}

/**
 * One device's share of a window: the whole window, or, when Lambda ended the window early, one of
 * its parts. `partId` is the same for the same part on every replay (its first reading id and count),
 * so that the store counts a part once.
 */
export interface AggregatePart {
  deviceId: string;
  windowStart: string;
  windowEnd: string;
  partId: string;
  sum: number;
  count: number;
  min: number;
  max: number;
}

export interface AccumulateOutcome {
  state: WindowState;
  counted: number;
  /** Readings whose id this window had already counted (a retried batch, a device that resent). */
  duplicates: number;
}

interface LiveDevice {
  tally: DeviceTally;
  seen: Set<string>;
}

/**
 * The tallies of a shard's window. Rebuilding the sets of reading ids from the state on every
 * invocation would cost as much as the readings themselves, so the aggregator keeps the state it last
 * returned in memory, with its token: the next invocation of the same window in the same container gets
 * that state back and goes on from memory. Any other state (a retry after a failure, another container,
 * a new window) is rebuilt from what Lambda passed, which is always the truth.
 */
export function createWindowTallies({ newToken }: { newToken: () => string }) {
  let live: { token: string; devices: Map<string, LiveDevice>; state: WindowState } | undefined;

  function load(state: unknown): { devices: Map<string, LiveDevice>; state: WindowState } {
    const given = asWindowState(state);
    if (live !== undefined && given.token !== undefined && given.token === live.token) return live;
    const devices = new Map<string, LiveDevice>();
    const copy: WindowState = { devices: {} };
    for (const [deviceId, tally] of Object.entries(given.devices)) {
      const own = { ...tally };
      copy.devices[deviceId] = own;
      devices.set(deviceId, { tally: own, seen: new Set(own.ids === '' ? [] : own.ids.split(',')) });
    }
    return { devices, state: copy };
  }

  return {
    /** Counts the readings not yet counted in this window into `state`, and returns the next state. */
    accumulate(state: unknown, readings: readonly TelemetryReading[]): AccumulateOutcome {
      const current = load(state);
      let counted = 0;
      let duplicates = 0;
      for (const { deviceId, readingId, temperatureC } of readings) {
        let device = current.devices.get(deviceId);
        if (device === undefined) {
          const tally: DeviceTally = { sum: 0, count: 0, min: temperatureC, max: temperatureC, ids: '' };
          device = { tally, seen: new Set() };
          current.devices.set(deviceId, device);
          current.state.devices[deviceId] = tally;
        }
        if (device.seen.has(readingId)) {
          duplicates += 1;
          continue;
        }
        device.seen.add(readingId);
        const { tally } = device;
        tally.ids = tally.ids === '' ? readingId : `${tally.ids},${readingId}`;
        tally.sum += temperatureC;
        tally.count += 1;
        if (temperatureC < tally.min) tally.min = temperatureC;
        if (temperatureC > tally.max) tally.max = temperatureC;
        counted += 1;
      }
      const token = newToken();
      current.state.token = token;
      live = { token, devices: current.devices, state: current.state };
      return { state: current.state, counted, duplicates };
    },

    /** The window's parts, one per device with readings, for the final invocation. */
    parts(state: unknown, window: { start: string; end: string }): AggregatePart[] {
      const { devices } = asWindowState(state);
      live = undefined;
      return Object.entries(devices).flatMap(([deviceId, tally]) =>
        tally.count === 0
          ? []
          : [
              {
                deviceId,
                windowStart: window.start,
                windowEnd: window.end,
                partId: `${firstId(tally.ids)}+${tally.count}`,
                sum: tally.sum,
                count: tally.count,
                min: tally.min,
                max: tally.max,
              },
            ],
      );
    },
  };
}

function firstId(ids: string): string {
  const comma = ids.indexOf(',');
  return comma === -1 ? ids : ids.slice(0, comma);
}

/** `{}`, Lambda's first state of a window, is an empty tally; anything else must be a window state. */
function asWindowState(state: unknown): WindowState {
  if (typeof state !== 'object' || state === null) return { devices: {} };
  const { devices, token } = state as Partial<WindowState>;
  if (devices === undefined) return { devices: {} };
  return token === undefined ? { devices } : { devices, token };
}

/** The window aggregate a store keeps: its parts' totals, and which parts it holds. */
export interface StoredAggregate {
  deviceId: string;
  windowStart: string;
  windowEnd: string;
  count: number;
  sum: number;
  min: number;
  max: number;
  average: number;
  parts: string[];
}

/**
 * `existing` with `part` added, or 'already-counted' when it holds that part (a replayed final
 * invocation). Parts of one window only meet when Lambda ended it early: their sums and counts add, and
 * min and max combine.
 */
export function addPart(existing: undefined, part: AggregatePart): StoredAggregate;
export function addPart(
  existing: StoredAggregate | undefined,
  part: AggregatePart,
): StoredAggregate | 'already-counted';
export function addPart(
  existing: StoredAggregate | undefined,
  part: AggregatePart,
): StoredAggregate | 'already-counted' {
  if (existing?.parts.includes(part.partId)) return 'already-counted';
  const count = (existing?.count ?? 0) + part.count;
  const sum = (existing?.sum ?? 0) + part.sum;
  const min = existing === undefined ? part.min : Math.min(existing.min, part.min);
  const max = existing === undefined ? part.max : Math.max(existing.max, part.max);
  // The sum of floats can drift a hair outside [min, max]; an average is never outside them.
  const average = Math.min(max, Math.max(min, round(sum / count)));
  return {
    deviceId: part.deviceId,
    windowStart: part.windowStart,
    windowEnd: part.windowEnd,
    count,
    sum,
    min,
    max,
    average,
    parts: [...(existing?.parts ?? []), part.partId],
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
