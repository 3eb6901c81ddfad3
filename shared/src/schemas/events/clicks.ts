import * as z from 'zod';
import { identifier } from '../common';

/** What a shopper did: saw a page, opened a product, clicked, added to the cart, bought. */
export const clickTypes = ['page_view', 'product_view', 'click', 'add_to_cart', 'purchase'] as const;
export type ClickType = (typeof clickTypes)[number];

/** A shopper's browser beacon, as sent to the Firehose delivery stream. */
export const clickEventSchema = z
  .object({
    eventId: z.uuid(),
    sessionId: identifier,
    userId: identifier.optional(),
    type: z.enum(clickTypes),
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

/** What the lake knows of a product a click was about, from the store's products table. */
export const clickedProductSchema = z
  .object({
    name: z.string().min(1).max(200),
    category: z.string().min(1).max(100),
    /** In the store's currency, USD. */
    price: z.number().nonnegative(),
  })
  .strict();
export type ClickedProduct = z.infer<typeof clickedProductSchema>;

/**
 * A click as it lands in the lake (raw/clickstream/, one JSON line each): ISO time in place of the
 * epoch timestamp, and the product it was about when the store knows it.
 */
export const lakeClickSchema = clickEventSchema
  .omit({ timestamp: true })
  .extend({ time: z.iso.datetime(), product: clickedProductSchema.optional() })
  .strict();
export type LakeClick = z.infer<typeof lakeClickSchema>;
