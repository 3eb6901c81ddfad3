import type { ClickEvent } from '@serverless-patterns/shared/schemas/events';

/**
 * The shop's click beacons, batched: clicks wait in memory and leave in one beacon (POST /clicks,
 * `{ "clicks": [...] }`) when `maxClicks` are waiting, `maxDelayMs` after the first of them, or when
 * the person leaves the page (hidden, or unloaded): the last moment a page can still send anything.
 * Pure: the browser's parts (sendBeacon, timers, page events) come in as arguments (shop-clicks.ts
 * binds them), so that the batching is tested without a browser.
 * https://developer.mozilla.org/en-US/docs/Web/API/Navigator/sendBeacon
 */

/**
 * What POST /clicks takes (shared/src/schemas/api/clicks.ts: MAX_CLICKS_PER_BEACON, MAX_BEACON_BYTES;
 * a unit test holds the two equal). Written here again because the portal imports only types from the
 * shared library: its schemas would bring zod into the page.
 */
export const BEACON_LIMITS = { maxClicks: 100, maxBytes: 64 * 1024 } as const;

export interface ClickBatcherOptions {
  /**
   * Hands one beacon's body to the browser: true once queued. sendBeacon answers false when the
   * browser will not take it (over its 64 KiB in flight): the clicks wait for the next flush.
   */
  send(body: string): boolean;
  /** Sends as soon as this many clicks wait. */
  maxClicks: number;
  /** Sends this long after the first waiting click, however few wait. */
  maxDelayMs: number;
  /** The most clicks kept while the browser refuses beacons: past it, the oldest are given up. */
  maxWaiting: number;
  timers: { set(callback: () => void, ms: number): unknown; clear(handle: unknown): void };
  /** Calls `flush` whenever the person leaves the page: hidden (another tab, the phone locked) or unloaded. */
  onLeave(flush: () => void): void;
}

export interface ClickBatcher {
  add(click: ClickEvent): void;
  /** Sends every waiting click the browser takes now; answers how many it took. */
  flush(): number;
  /** Clicks waiting to be sent. */
  waiting(): number;
}

export function createClickBatcher(options: ClickBatcherOptions): ClickBatcher {
  const { send, maxClicks, maxDelayMs, maxWaiting, timers } = options;
  let queue: ClickEvent[] = [];
  let timer: unknown;

  const stopTimer = () => {
    if (timer !== undefined) timers.clear(timer);
    timer = undefined;
  };
  const startTimer = () => {
    timer ??= timers.set(() => {
      timer = undefined;
      flush();
    }, maxDelayMs);
  };

  const flush = (): number => {
    stopTimer();
    let taken = 0;
    // A click too large for any beacon would be refused by the route (413): it is not kept.
    const { beacons } = beaconsOf(queue, BEACON_LIMITS);
    for (const beacon of beacons) {
      if (!send(beacon.body)) break;
      taken += beacon.clicks.length;
    }
    // What the browser did not take waits, in order, for the next flush.
    queue = beacons.flatMap((beacon) => beacon.clicks).slice(taken);
    if (queue.length > 0) startTimer();
    return taken;
  };

  options.onLeave(() => {
    flush();
  });

  return {
    add(click) {
      queue.push(click);
      if (queue.length > maxWaiting) queue.splice(0, queue.length - maxWaiting);
      if (queue.length >= maxClicks) flush();
      else startTimer();
    },
    flush,
    waiting: () => queue.length,
  };
}

export interface Beacon {
  clicks: ClickEvent[];
  /** `{"clicks":[...]}`, as POST /clicks reads it. */
  body: string;
}

const encoder = new TextEncoder();
const bytesOf = (text: string) => encoder.encode(text).length;
const ENVELOPE_BYTES = bytesOf('{"clicks":[]}');

/**
 * The clicks, in order, packed into as few beacons as the route's limits allow (at most `maxClicks`
 * each, at most `maxBytes` of body); a click that fits in no beacon on its own is `oversized`.
 */
export function beaconsOf(
  clicks: readonly ClickEvent[],
  limits: { maxClicks: number; maxBytes: number },
): { beacons: Beacon[]; oversized: ClickEvent[] } {
  const beacons: Beacon[] = [];
  const oversized: ClickEvent[] = [];
  let current: { clicks: ClickEvent[]; lines: string[]; bytes: number } | undefined;
  const close = () => {
    if (current !== undefined && current.clicks.length > 0)
      beacons.push({ clicks: current.clicks, body: `{"clicks":[${current.lines.join(',')}]}` });
    current = undefined;
  };
  for (const click of clicks) {
    const line = JSON.stringify(click);
    const bytes = bytesOf(line);
    if (ENVELOPE_BYTES + bytes > limits.maxBytes) {
      oversized.push(click);
      continue;
    }
    // One more click adds its bytes and, after the first, a comma.
    if (
      current !== undefined &&
      (current.clicks.length === limits.maxClicks || current.bytes + 1 + bytes > limits.maxBytes)
    )
      close();
    if (current === undefined) current = { clicks: [click], lines: [line], bytes: ENVELOPE_BYTES + bytes };
    else {
      current.clicks.push(click);
      current.lines.push(line);
      current.bytes += 1 + bytes;
    }
  }
  close();
  return { beacons, oversized };
}
