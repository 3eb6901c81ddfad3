import { z } from 'zod';
import { identifier } from '../common';

/** A shopper's browser beacon, as sent to the Firehose delivery stream. */
export const clickEventSchema = z
  .object({
    eventId: z.uuid(),
    sessionId: identifier,
    userId: identifier.optional(),
    type: z.enum(['page_view', 'click', 'add_to_cart', 'purchase']),
    page: z.string().startsWith('/').max(2048),
    productId: identifier.optional(),
    /**
     * Epoch milliseconds, as browsers report Date.now(); the transform turns it into ISO time. The
     * lower bound (2001-09-09) refuses epoch seconds; the upper one is the largest time a Date holds.
     */
    timestamp: z.number().int().min(1e12).max(8.64e15),
    referrer: z.string().max(2048).optional(),
    userAgent: z.string().max(512).optional(),
  })
  .strict();
export type ClickEvent = z.infer<typeof clickEventSchema>;
