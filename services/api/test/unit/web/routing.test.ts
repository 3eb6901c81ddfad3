import { expect } from 'chai';
import { matchRoute, parseHash } from '../../../web/src/routing';

const ENTRIES = [
  { path: '/devices' },
  { path: '/lake/dataset' },
  { path: '/shop' },
  { path: '/shop/:productId' },
  { path: '/shop/cart' },
];

describe('the portal’s hash routes (routing.ts)', () => {
  it('reads the path and the query of a hash', () => {
    const { path, params } = parseHash('#/lake/dataset?zone=raw&dataset=clickstream');

    expect(path).to.equal('/lake/dataset');
    expect(Object.fromEntries(params)).to.deep.equal({ zone: 'raw', dataset: 'clickstream' });
    expect(parseHash('').path).to.equal('/');
  });

  it('matches a path exactly, before any pattern', () => {
    expect(matchRoute(ENTRIES, '/shop/cart')).to.deep.equal({ entry: { path: '/shop/cart' }, params: {} });
    expect(matchRoute(ENTRIES, '/shop')?.entry.path).to.equal('/shop');
  });

  it('gives a pattern’s segment to the page as its parameter, decoded', () => {
    expect(matchRoute(ENTRIES, '/shop/th-aria-2')).to.deep.equal({
      entry: { path: '/shop/:productId' },
      params: { productId: 'th-aria-2' },
    });
    expect(matchRoute(ENTRIES, '/shop/a%20b')?.params).to.deep.equal({ productId: 'a b' });
  });

  it('matches nothing with a segment too many or too few, an empty one, or a malformed escape', () => {
    for (const path of ['/shop/th-aria-2/more', '/shop/', '/shop/%E0%A4%A', '/nowhere'])
      expect(matchRoute(ENTRIES, path), path).to.equal(undefined);
  });
});
