import { expect } from 'chai';
import { createCart } from '../../../web/src/cart';

/** localStorage's part the cart uses, in memory. */
function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, value),
    removeItem: (key: string) => void items.delete(key),
    items,
  };
}

const aria = { productId: 'th-aria-2', name: 'Aria Smart Thermostat', price: 199 };
const valve = { productId: 'th-radiator-valve', name: 'Smart Radiator Valve', price: 69.1 };

describe('the shop’s cart (cart.ts)', () => {
  it('adds a product once per click, each line with its name and price, and sums the cart', () => {
    const cart = createCart(memoryStorage());

    expect(cart.add(aria)).to.equal(1);
    expect(cart.add(valve)).to.equal(1);
    expect(cart.add(valve)).to.equal(2);

    expect(cart.lines()).to.deep.equal([
      { ...aria, quantity: 1 },
      { ...valve, quantity: 2 },
    ]);
    expect(cart.count()).to.equal(3);
    expect(cart.quantityOf(valve.productId)).to.equal(2);
    expect(cart.quantityOf('th-dial')).to.equal(0);
    // 199 + 2 × 69.10, in cents: no floating-point crumbs.
    expect(cart.total()).to.equal(337.2);
  });

  it('keeps the cart in the storage it is given, for the next page and the next visit', () => {
    const storage = memoryStorage();
    createCart(storage).add(aria);

    expect(createCart(storage).lines()).to.deep.equal([{ ...aria, quantity: 1 }]);
  });

  it('empties the cart', () => {
    const storage = memoryStorage();
    const cart = createCart(storage);
    cart.add(aria);

    cart.empty();

    expect(cart.count()).to.equal(0);
    expect(storage.items.size).to.equal(0);
  });

  it('reads an unreadable cart as empty, and drops lines that are not a cart’s', () => {
    expect(createCart(memoryStorage({ 'shop.cart': '{not json' })).lines()).to.deep.equal([]);
    const mixed = JSON.stringify([{ ...aria, quantity: 1 }, { productId: 'x', quantity: -1 }, 'junk']);

    expect(createCart(memoryStorage({ 'shop.cart': mixed })).lines()).to.deep.equal([
      { ...aria, quantity: 1 },
    ]);
  });

  it('keeps the cart in memory once the browser refuses to store it', () => {
    const refusing = {
      ...memoryStorage(),
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
    };
    const cart = createCart(refusing);

    cart.add(aria);
    cart.add(aria);

    expect(cart.lines()).to.deep.equal([{ ...aria, quantity: 2 }]);
    cart.empty();
    expect(cart.count()).to.equal(0);
  });
});
