import type { ClickType } from '@serverless-patterns/shared/schemas/events';
import { createClickBatcher } from './click-beacons';

/**
 * The shop's clicks in the browser: who (a session per tab, an anonymous shopper per browser), when,
 * with what browser, sent in batches with navigator.sendBeacon (click-beacons.ts) to POST /clicks.
 *
 * The body goes as a text/plain Blob: a CORS-safelisted content type, so the beacon needs no preflight
 * (sendBeacon cannot make one in every browser, and sends with credentials included). POST /clicks
 * reads any body as JSON whatever its content type, answers with CORS headers, and asks for no
 * credentials: in AWS the portal (CloudFront) and the API (the custom domain) are two origins, and the
 * beacon's answer, which a page never reads, is all that CORS would withhold.
 * https://fetch.spec.whatwg.org/#cors-safelisted-request-header
 */

/** Small batches, soon: a shopper's clicks reach the lake within seconds plus Firehose's buffer. */
const SEND_AT_CLICKS = 10;
const SEND_AFTER_MS = 5_000;
const MAX_WAITING = 500;

const SESSION_KEY = 'shop.sessionId';
const SHOPPER_KEY = 'shop.shopperId';

export interface ShopClicks {
  /** One click of the shared schema (shared/src/schemas/events/clicks.ts), batched. */
  record(type: ClickType, page: string, productId?: string): void;
}

export function createShopClicks(clicksUrl: string): ShopClicks {
  const batcher = createClickBatcher({
    send: (body) => navigator.sendBeacon(clicksUrl, new Blob([body], { type: 'text/plain;charset=UTF-8' })),
    maxClicks: SEND_AT_CLICKS,
    maxDelayMs: SEND_AFTER_MS,
    maxWaiting: MAX_WAITING,
    timers: {
      set: (callback, ms) => window.setTimeout(callback, ms),
      clear: (handle) => window.clearTimeout(handle as number),
    },
    // pagehide rather than unload (which breaks the back/forward cache and is not fired on phones when an
    // app is switched away from); visibilitychange to hidden is the last event a phone reliably fires.
    // https://developer.chrome.com/docs/web-platform/page-lifecycle-api
    onLeave(flush) {
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'hidden') flush();
      });
      window.addEventListener('pagehide', flush);
    },
  });
  // A tab's session (sessionStorage lives as long as the tab), and the browser's shopper (localStorage):
  // random ids, never the signed-in person's.
  const sessionId = storedId(() => window.sessionStorage, SESSION_KEY, 's');
  const userId = storedId(() => window.localStorage, SHOPPER_KEY, 'a');
  const userAgent = navigator.userAgent.slice(0, 512);
  // Where the person came from, once per page load: later pages of this single-page app have no referrer.
  let referrer: string | undefined = document.referrer.slice(0, 2048) || undefined;

  return {
    record(type, page, productId) {
      batcher.add({
        eventId: randomUuid(),
        sessionId,
        userId,
        type,
        page: page.slice(0, 2048),
        ...(productId === undefined ? {} : { productId }),
        timestamp: Date.now(),
        ...(referrer === undefined ? {} : { referrer }),
        userAgent,
      });
      referrer = undefined;
    },
  };
}

/** The id kept under `key`, made on first use; in memory only where the browser keeps no storage. */
function storedId(storage: () => Storage, key: string, prefix: string): string {
  try {
    const kept = storage().getItem(key);
    if (kept !== null && /^[A-Za-z0-9._:-]{1,128}$/.test(kept)) return kept;
    const id = `${prefix}-${randomUuid()}`;
    storage().setItem(key, id);
    return id;
  } catch {
    return `${prefix}-${randomUuid()}`;
  }
}

/**
 * A version 4 UUID. crypto.randomUUID exists only in secure contexts (https, localhost); the portal may
 * be opened over plain http on a local network, where getRandomValues still works.
 */
function randomUuid(): string {
  if (typeof crypto.randomUUID === 'function' && window.isSecureContext) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
