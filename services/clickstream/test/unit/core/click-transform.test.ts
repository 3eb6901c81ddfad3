import type { ClickedProduct } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import { exampleClickEvent } from '../../../../../shared/test/unit/schema-examples';
import {
  createClickTransformer,
  type ProductLookup,
  transformClick,
} from '../../../src/core/click-transform';

describe('click transform', () => {
  it('turns a beacon into one JSON line with ISO time in place of the epoch timestamp', () => {
    const click = exampleClickEvent({ timestamp: 1_795_944_600_123 });

    const transformed = transformClick(JSON.stringify(click));

    expect(transformed.result).to.equal('Ok');
    expect(transformed.data.endsWith('\n')).to.equal(true);
    expect(transformed.data.split('\n')).to.have.length(2);
    const { timestamp, ...rest } = click;
    expect(JSON.parse(transformed.data)).to.deep.equal({ ...rest, time: '2026-11-29T09:30:00.123Z' });
  });

  it('keeps a beacon without a user agent', () => {
    const { userAgent, ...click } = exampleClickEvent();

    const transformed = transformClick(JSON.stringify(click));

    expect(transformed.result).to.equal('Ok');
  });

  it('fails malformed JSON and keeps the original data, so Firehose can store it', () => {
    const raw = '{"eventId":"3f1c9a52-6d2b-4e8f-9a7c-1b2d3e4f5a6b","type":"click",';

    const transformed = transformClick(raw);

    expect(transformed).to.deep.equal({ result: 'ProcessingFailed', data: raw, reason: 'not JSON' });
  });

  it('fails a beacon that breaks the schema, naming the field and keeping the original data', () => {
    const raw = JSON.stringify(exampleClickEvent({ page: 'products/espresso-machine' }));

    const transformed = transformClick(raw);

    expect(transformed).to.deep.equal({
      result: 'ProcessingFailed',
      data: raw,
      reason: 'invalid click event at page',
    });
  });

  it('names every field that breaks the schema', () => {
    const raw = JSON.stringify({
      ...exampleClickEvent(),
      eventId: 'evt-1',
      timestamp: '2026-11-29T09:30:00Z',
    });

    const transformed = transformClick(raw);

    expect(transformed.result).to.equal('ProcessingFailed');
    expect(transformed.reason).to.equal('invalid click event at eventId, timestamp');
  });

  it('fails JSON that is not an object', () => {
    const transformed = transformClick('[1,2,3]');

    expect(transformed).to.deep.equal({
      result: 'ProcessingFailed',
      data: '[1,2,3]',
      reason: 'invalid click event at (root)',
    });
  });

  it('fails, rather than throws on, a timestamp beyond the range of dates', () => {
    // 9e15 ms is a safe integer, so the schema lets it through, but no Date can hold it (max 8.64e15).
    const raw = JSON.stringify(exampleClickEvent({ timestamp: 9e15 }));

    const transform = () => transformClick(raw);

    expect(transform).not.to.throw();
    expect(transform()).to.include({ result: 'ProcessingFailed', data: raw });
  });

  for (const [agent, userAgent] of [
    ['Googlebot', 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)'],
    [
      'headless Chrome',
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36',
    ],
    ['curl', 'curl/8.7.1'],
    ['wget', 'Wget/1.21.4'],
    ['a crawler', 'Mozilla/5.0 (compatible; AhrefsCrawler/7.0)'],
  ] as const) {
    it(`drops a beacon sent by ${agent}`, () => {
      const raw = JSON.stringify(exampleClickEvent({ userAgent }));

      const transformed = transformClick(raw);

      expect(transformed).to.deep.equal({ result: 'Dropped', data: raw, reason: 'automated user agent' });
    });
  }

  it('partitions a click by its type and the UTC day it happened, not the day it arrived', () => {
    // 2026-11-29T23:59:59.999Z, delivered after midnight
    const raw = JSON.stringify(exampleClickEvent({ type: 'product_view', timestamp: 1_795_996_799_999 }));

    expect(transformClick(raw).partitionKeys).to.deep.equal({
      eventType: 'product_view',
      year: '2026',
      month: '11',
      day: '29',
    });
  });

  it('adds the product the click was about, when the store knows it', () => {
    const product: ClickedProduct = { name: 'Aria Smart Thermostat', category: 'smart', price: 199 };
    const raw = JSON.stringify(exampleClickEvent({ productId: 'sku-ESP-200' }));

    const known = JSON.parse(transformClick(raw, new Map([['sku-ESP-200', product]])).data);
    const unknown = JSON.parse(transformClick(raw, new Map()).data);

    expect(known.product).to.deep.equal(product);
    expect(unknown).to.not.have.property('product');
  });

  describe('a batch', () => {
    const product: ClickedProduct = { name: 'Aria Smart Thermostat', category: 'smart', price: 199 };
    function lookup(result: () => Promise<ReadonlyMap<string, ClickedProduct>>) {
      const asked: string[][] = [];
      const products: ProductLookup = {
        productsById: async (ids) => {
          asked.push([...ids]);
          return result();
        },
      };
      return { products, asked };
    }

    it('looks the products of the whole batch up once, each product once', async () => {
      const { products, asked } = lookup(async () => new Map([['t-1', product]]));
      const transformer = createClickTransformer({ products });
      const raws = [
        JSON.stringify(exampleClickEvent({ productId: 't-1' })),
        JSON.stringify(exampleClickEvent({ productId: 't-2' })),
        JSON.stringify(exampleClickEvent({ productId: 't-1' })),
        'not json',
      ];

      const transformed = await transformer.transform(raws);

      expect(asked).to.deep.equal([['t-1', 't-2']]);
      expect(transformed.map((record) => record.result)).to.deep.equal([
        'Ok',
        'Ok',
        'Ok',
        'ProcessingFailed',
      ]);
      expect(
        transformed.map((record) => (record.result === 'Ok' ? JSON.parse(record.data).product?.name : null)),
      ).to.deep.equal(['Aria Smart Thermostat', undefined, 'Aria Smart Thermostat', null]);
    });

    it('does not look anything up for a batch that names no product', async () => {
      const { products, asked } = lookup(async () => new Map());
      const { productId, ...click } = exampleClickEvent({ type: 'page_view', page: '/' });

      await createClickTransformer({ products }).transform([JSON.stringify(click)]);

      expect(asked).to.deep.equal([]);
    });

    it('fails the invocation when the products cannot be read, so that Firehose retries it', async () => {
      const { products } = lookup(() => Promise.reject(new Error('throttled')));

      const error = await createClickTransformer({ products })
        .transform([JSON.stringify(exampleClickEvent())])
        .catch((caught: unknown) => caught);

      expect((error as Error).message).to.equal('throttled');
    });
  });
});
