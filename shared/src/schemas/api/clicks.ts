import * as z from 'zod';
import { identifier } from '../common';
import { clickEventSchema } from '../events/clicks';

/**
 * POST /clicks: a batch of beacons from one page, as navigator.sendBeacon sends them (browsers cap a
 * beacon at 64 KiB, the route's body limit too).
 */
export const clickBeaconSchema = z.object({ clicks: z.array(clickEventSchema).min(1).max(100) }).strict();
export type ClickBeacon = z.infer<typeof clickBeaconSchema>;

/** 202: every click is in the delivery stream. */
export interface CollectClicksResponse {
  accepted: number;
}

/** A thermostat the store sells: the products table, the shop's pages, the clicks' enrichment. */
export const productSchema = z
  .object({
    productId: identifier,
    name: z.string().min(1).max(200),
    category: z.string().min(1).max(100),
    price: z.number().nonnegative(),
    description: z.string().max(2000),
  })
  .strict();
export type Product = z.infer<typeof productSchema>;
