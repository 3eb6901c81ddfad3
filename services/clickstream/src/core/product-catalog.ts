import { NotFoundError } from '@serverless-patterns/shared/errors';
import type { Product } from '@serverless-patterns/shared/schemas/api';

/**
 * The products are public and change seldom: browsers (and any cache in between) may keep an answer
 * for a minute, so that a shopper going back and forth reads the table once. transformClicks keeps
 * them for five (PRODUCT_CACHE_SECONDS).
 */
export const PRODUCT_CACHE_CONTROL = 'public, max-age=60';

/** Where the shop's products come from: the products table (adapters/products-table.ts). */
export interface ProductStore {
  /** Every product, in no particular order. */
  listProducts(): Promise<Product[]>;
  getProduct(productId: string): Promise<Product | undefined>;
}

/**
 * What the shop's pages read: the thermostats the store sells, from the same table the clicks are
 * enriched from (transformClicks), so that the price a shopper saw is the price the lake records.
 */
export function createProductCatalog({ store }: { store: ProductStore }) {
  return {
    /** By category, then name: a table's scan order is its hash order, which means nothing to a shopper. */
    async list(): Promise<Product[]> {
      const products = await store.listProducts();
      return products.sort(
        (a, b) => a.category.localeCompare(b.category, 'en') || a.name.localeCompare(b.name, 'en'),
      );
    },
    async get(productId: string): Promise<Product> {
      const product = await store.getProduct(productId);
      if (product === undefined) throw new NotFoundError(`No product ${productId}`);
      return product;
    },
  };
}
