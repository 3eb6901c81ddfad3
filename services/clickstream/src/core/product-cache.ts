import type { ClickedProduct } from '@serverless-patterns/shared/schemas/events';
import type { ProductLookup } from './click-transform';

/** Where products come from: the products table (adapters/products-table.ts). */
export interface ProductSource {
  /** Those of `productIds` that exist; the others are left out. */
  getProducts(productIds: readonly string[]): Promise<ReadonlyMap<string, ClickedProduct>>;
}

/**
 * The products a container has looked up, kept for `ttlMs`: a store sells a few dozen thermostats
 * and every batch of clicks names the same ones, so a warm container reads DynamoDB once in a while,
 * not once per invocation. Unknown ids are remembered too, so that clicks on a withdrawn product do
 * not read the table each time. A price change reaches the lake within `ttlMs`.
 */
export function createProductCache({
  source,
  ttlMs,
  clock = () => Date.now(),
}: {
  source: ProductSource;
  ttlMs: number;
  clock?: () => number;
}): ProductLookup & { size(): number } {
  const entries = new Map<string, { product: ClickedProduct | undefined; expiresAt: number }>();
  return {
    async productsById(productIds) {
      const now = clock();
      const missing = productIds.filter((id) => (entries.get(id)?.expiresAt ?? 0) <= now);
      if (missing.length > 0) {
        const found = await source.getProducts(missing);
        for (const id of missing) entries.set(id, { product: found.get(id), expiresAt: now + ttlMs });
      }
      const products = new Map<string, ClickedProduct>();
      for (const id of productIds) {
        const product = entries.get(id)?.product;
        if (product !== undefined) products.set(id, product);
      }
      return products;
    },
    size: () => entries.size,
  };
}
