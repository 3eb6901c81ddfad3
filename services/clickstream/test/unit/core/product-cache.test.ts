import type { ClickedProduct } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import { createProductCache, type ProductSource } from '../../../src/core/product-cache';

const THERMOSTAT: ClickedProduct = { name: 'Nest-ish Learning Thermostat', category: 'smart', price: 249 };

function countingSource(known: Record<string, ClickedProduct>) {
  const asked: string[][] = [];
  const source: ProductSource = {
    async getProducts(ids) {
      asked.push([...ids]);
      return new Map(ids.flatMap((id) => (known[id] ? [[id, known[id]] as const] : [])));
    },
  };
  return { source, asked };
}

describe('product cache', () => {
  it('reads a product once per container while it is fresh', async () => {
    const { source, asked } = countingSource({ 't-1': THERMOSTAT });
    const cache = createProductCache({ source, ttlMs: 60_000, clock: () => 0 });

    const first = await cache.productsById(['t-1']);
    const second = await cache.productsById(['t-1']);

    expect(first.get('t-1')).to.deep.equal(THERMOSTAT);
    expect(second.get('t-1')).to.deep.equal(THERMOSTAT);
    expect(asked).to.deep.equal([['t-1']]);
  });

  it('remembers unknown products too, and asks only for what it does not hold', async () => {
    const { source, asked } = countingSource({ 't-1': THERMOSTAT });
    const cache = createProductCache({ source, ttlMs: 60_000, clock: () => 0 });

    await cache.productsById(['t-1', 'gone']);
    const again = await cache.productsById(['t-1', 'gone', 't-2']);

    expect([...again.keys()]).to.deep.equal(['t-1']);
    expect(asked).to.deep.equal([['t-1', 'gone'], ['t-2']]);
  });

  it('reads a product again once its time to live has passed', async () => {
    const { source, asked } = countingSource({ 't-1': THERMOSTAT });
    let now = 0;
    const cache = createProductCache({ source, ttlMs: 60_000, clock: () => now });

    await cache.productsById(['t-1']);
    now = 60_000;
    await cache.productsById(['t-1']);

    expect(asked).to.have.length(2);
  });
});
