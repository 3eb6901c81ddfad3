import type { CatalogSearchParameters } from '@serverless-patterns/shared/schemas/api';
import type { CatalogEntry } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import { exampleCatalogEntry } from '../../../../../shared/test/unit/schema-examples';
import { createSearchIndex } from '../../../src/core/search-index';

const clicks = exampleCatalogEntry({
  schema: [
    { name: 'eventid', type: 'string' },
    { name: 'referrer', type: 'string' },
  ],
  sensitive: ['email', 'ip-address'],
  table: 'raw_clickstream',
});
const ngram: CatalogEntry = exampleCatalogEntry({
  key: 'curated/ngram/decade=1990/part-00000.parquet',
  zone: 'curated',
  dataset: 'ngram',
  partitions: { decade: '1990' },
  format: 'parquet',
  compression: 'none',
  schema: [{ name: 'gram', type: 'string' }],
  sensitive: [],
  table: 'ngram',
  registeredAt: '2026-11-30T08:00:00.000Z',
});
const all = (overrides: Partial<CatalogSearchParameters> = {}): CatalogSearchParameters => ({
  limit: 25,
  ...overrides,
});

function indexOf(...entries: CatalogEntry[]) {
  const index = createSearchIndex();
  for (const entry of entries) index.upsert(entry);
  return index;
}

describe('catalog search index', () => {
  it('finds an entry by its dataset, its columns, a partition value or a kind of personal data', () => {
    const index = indexOf(clicks, ngram);

    for (const [q, key] of [
      ['ngram', ngram.key],
      ['referrer', clicks.key],
      ['1990', ngram.key],
      ['email', clicks.key],
      ['clickst', clicks.key],
    ] as const) {
      expect(
        index.search(all({ q })).matches.map((match) => match.key),
        q,
      ).to.deep.equal([key]);
    }
  });

  it('lists every entry, newest first, without a text', () => {
    expect(
      indexOf(clicks, ngram)
        .search(all())
        .matches.map((match) => match.key),
    ).to.deep.equal([ngram.key, clicks.key]);
  });

  it('filters by dataset, format, zone and personal data, and counts facets over every match', () => {
    const index = indexOf(clicks, ngram);

    expect(index.search(all({ format: 'parquet' })).total).to.equal(1);
    expect(index.search(all({ zone: 'raw' })).matches[0]?.key).to.equal(clicks.key);
    expect(index.search(all({ dataset: 'ngram' })).matches[0]?.key).to.equal(ngram.key);
    expect(index.search(all({ sensitive: 'email' })).matches[0]?.key).to.equal(clicks.key);
    expect(index.search(all({ sensitive: 'any' })).total).to.equal(1);
    expect(index.search(all({ sensitive: 'none' })).matches[0]?.key).to.equal(ngram.key);
    expect(index.search(all({ limit: 1 }))).to.deep.include({
      total: 2,
      facets: {
        dataset: { clickstream: 1, ngram: 1 },
        format: { jsonl: 1, parquet: 1 },
        zone: { raw: 1, curated: 1 },
        sensitive: { email: 1, 'ip-address': 1, none: 1 },
      },
    });
  });

  it('returns what the API promises of each match', () => {
    const [match] = indexOf(ngram).search(all({ q: 'ngram' })).matches;

    expect(match).to.deep.include({
      key: ngram.key,
      zone: 'curated',
      dataset: 'ngram',
      table: 'ngram',
      format: 'parquet',
      partitions: { decade: '1990' },
      columns: ['gram'],
      sensitive: [],
    });
    expect(match?.score).to.be.greaterThan(0);
  });

  it('replaces an entry upserted again and forgets a removed one; both are idempotent', () => {
    const index = indexOf(clicks);

    index.upsert({ ...clicks, sizeBytes: 1 });
    index.upsert({ ...clicks, sizeBytes: 1 });
    expect(index.search(all()).matches.map((match) => match.sizeBytes)).to.deep.equal([1]);
    index.remove(clicks.key);
    index.remove(clicks.key);
    expect(index.search(all()).total).to.equal(0);
  });

  it('survives a snapshot: the index read back answers as the one written', () => {
    const index = indexOf(clicks, ngram);
    index.remove(clicks.key);

    const restored = createSearchIndex(index.toSnapshot());

    expect(restored.search(all({ q: 'gram' }))).to.deep.equal(index.search(all({ q: 'gram' })));
    expect(restored.size).to.equal(1);
  });
});
