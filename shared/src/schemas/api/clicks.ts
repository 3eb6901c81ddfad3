import * as z from 'zod';
import { identifier } from '../common';
import { clickEventSchema } from '../events/clicks';

/** The most clicks one POST /clicks takes: the shop's pages send their batches in beacons of at most this many. */
export const MAX_CLICKS_PER_BEACON = 100;
/**
 * The largest body POST /clicks takes: browsers cap what navigator.sendBeacon (a keepalive fetch) may
 * have in flight at 64 KiB, so a larger body is not a page's. https://w3c.github.io/beacon/
 */
export const MAX_BEACON_BYTES = 64 * 1024;

/**
 * POST /clicks: a batch of beacons from one page, as navigator.sendBeacon sends them (browsers cap a
 * beacon at 64 KiB, the route's body limit too).
 */
export const clickBeaconSchema = z
  .object({ clicks: z.array(clickEventSchema).min(1).max(MAX_CLICKS_PER_BEACON) })
  .strict();
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

/** GET /products/{productId} (/clicks/products/{productId} under the custom domain). */
export const productIdPathSchema = z.object({ productId: identifier }).strict();

/** GET /products: every thermostat the store sells, by category, then name. */
export const listProductsResponseSchema = z.object({ products: z.array(productSchema) }).strict();
export type ListProductsResponse = z.infer<typeof listProductsResponseSchema>;

/** GET /products/{productId}: one of them; 404 when the store does not sell it. */
export const productResponseSchema = z.object({ product: productSchema }).strict();
export type ProductResponse = z.infer<typeof productResponseSchema>;
