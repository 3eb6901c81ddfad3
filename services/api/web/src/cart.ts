import type { Product } from '@serverless-patterns/shared/schemas/api';

/**
 * The shop's cart: what the person added, kept in this browser (localStorage: every tab sees it), no
 * checkout. Each line keeps the name and price it was added at, so that the cart shows without asking
 * the API again. One per tab (main.ts), handed to the shop's pages.
 */

export interface CartLine {
  productId: string;
  name: string;
  price: number;
  quantity: number;
}

const CART_KEY = 'shop.cart';

export function createCart(storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>) {
  // Once the browser refuses to store the cart (storage full, or turned off), it lives in memory: as long
  // as the tab, which is all a cart without checkout needs.
  let unstored: CartLine[] | undefined;
  const read = (): CartLine[] => {
    if (unstored !== undefined) return unstored.map((line) => ({ ...line }));
    try {
      const value = JSON.parse(storage.getItem(CART_KEY) ?? '[]') as unknown;
      return Array.isArray(value) ? value.filter(isCartLine) : [];
    } catch {
      // Unreadable (another version's, edited by hand): an empty cart.
      return [];
    }
  };
  const write = (lines: CartLine[]) => {
    if (unstored === undefined) {
      try {
        storage.setItem(CART_KEY, JSON.stringify(lines));
        return;
      } catch {
        // Kept in memory from now on.
      }
    }
    unstored = lines;
  };

  return {
    lines: read,
    /** One more of the product; answers how many of it the cart now holds. */
    add(product: Pick<Product, 'productId' | 'name' | 'price'>): number {
      const lines = read();
      const line = lines.find((candidate) => candidate.productId === product.productId);
      if (line === undefined)
        lines.push({ productId: product.productId, name: product.name, price: product.price, quantity: 1 });
      else line.quantity += 1;
      write(lines);
      return line?.quantity ?? 1;
    },
    quantityOf: (productId: string) => read().find((line) => line.productId === productId)?.quantity ?? 0,
    count: () => read().reduce((sum, line) => sum + line.quantity, 0),
    /** In cents, summed, then back: 0.1 + 0.2 is not 0.3 in floating point. */
    total: () => read().reduce((sum, line) => sum + Math.round(line.price * 100) * line.quantity, 0) / 100,
    empty() {
      if (unstored !== undefined) unstored = [];
      else storage.removeItem(CART_KEY);
    },
  };
}

export type Cart = ReturnType<typeof createCart>;

function isCartLine(value: unknown): value is CartLine {
  const line = value as Partial<CartLine> | null;
  return (
    typeof line?.productId === 'string' &&
    typeof line.name === 'string' &&
    typeof line.price === 'number' &&
    Number.isFinite(line.price) &&
    typeof line.quantity === 'number' &&
    Number.isInteger(line.quantity) &&
    line.quantity > 0
  );
}
