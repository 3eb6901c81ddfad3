import { randomUUID } from 'node:crypto';
import type { ClickEvent } from '@serverless-patterns/shared/schemas/events';

const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36',
];
const BOTS = [
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)',
];
const REFERRERS = [
  'https://www.google.com/',
  'https://duckduckgo.com/',
  'https://www.example-reviews.com/thermostats',
  undefined,
];

export interface SessionOptions {
  productIds: readonly string[];
  /** Sessions browsing at once; each click comes from one of them. */
  concurrentSessions?: number;
  /** Share of sessions that are crawlers (the transformation drops their clicks). */
  botShare?: number;
  random?: () => number;
  clock?: () => number;
  newId?: () => string;
}

type Step = Pick<ClickEvent, 'type' | 'page'> & { productId?: string };

/**
 * Shoppers browsing the store, as a stream of clicks: each session lands on the shop, opens a few
 * thermostats, sometimes adds one to the cart and sometimes buys. Many sessions run at once, so
 * consecutive clicks come from different shoppers, as they do in a busy store.
 */
export function createShoppingSessions(options: SessionOptions) {
  const { productIds, concurrentSessions = 500, botShare = 0.04 } = options;
  const random = options.random ?? Math.random;
  const clock = options.clock ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const script = (bot: boolean): Step[] => {
    const steps: Step[] = [{ type: 'page_view', page: '/shop' }];
    const views = 1 + Math.floor(random() * 4);
    for (let view = 0; view < views; view += 1) {
      const productId = pick(productIds);
      steps.push({ type: 'product_view', page: `/shop/${productId}`, productId });
      if (bot) continue;
      if (random() < 0.3) steps.push({ type: 'click', page: `/shop/${productId}`, productId });
      if (random() < 0.25) {
        steps.push({ type: 'add_to_cart', page: `/shop/${productId}`, productId });
        if (random() < 0.2) steps.push({ type: 'purchase', page: '/shop/checkout', productId });
      }
    }
    return steps;
  };
  const newSession = () => {
    const bot = random() < botShare;
    return {
      sessionId: `s-${newId().slice(0, 13)}`,
      userId: !bot && random() < 0.3 ? `u-${Math.floor(random() * 100_000)}` : undefined,
      userAgent: bot ? pick(BOTS) : pick(BROWSERS),
      referrer: pick(REFERRERS),
      steps: script(bot),
      next: 0,
    };
  };
  const sessions = Array.from({ length: concurrentSessions }, newSession);

  return {
    next(): ClickEvent {
      const slot = Math.floor(random() * sessions.length);
      let session = sessions[slot] as ReturnType<typeof newSession>;
      if (session.next >= session.steps.length) {
        session = newSession();
        sessions[slot] = session;
      }
      const step = session.steps[session.next] as Step;
      session.next += 1;
      return {
        eventId: newId(),
        sessionId: session.sessionId,
        ...(session.userId ? { userId: session.userId } : {}),
        type: step.type,
        page: step.page,
        ...(step.productId ? { productId: step.productId } : {}),
        timestamp: clock(),
        ...(session.next === 1 && session.referrer ? { referrer: session.referrer } : {}),
        userAgent: session.userAgent,
      };
    },
  };
}
