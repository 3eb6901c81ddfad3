import type {
  CatalogFacets,
  CatalogMatch,
  CatalogSearchParameters,
  CatalogSearchResponse,
} from '@serverless-patterns/shared/schemas/api';
import type { CatalogEntry } from '@serverless-patterns/shared/schemas/events';
import MiniSearch from 'minisearch';

/** What the index keeps of an entry: the match the API returns, and the text it searches. */
type IndexedEntry = Omit<CatalogMatch, 'score'> & { id: string; text: string };

const OPTIONS = {
  idField: 'id',
  // The key (its folders, partition values and file name), the dataset, the table, the columns and
  // the classes of personal data: `ngram 1990`, `email`, `clickstream referrer` all find something.
  fields: ['key', 'dataset', 'table', 'text'],
  storeFields: [
    'key',
    'zone',
    'dataset',
    'table',
    'format',
    'compression',
    'sizeBytes',
    'partitions',
    'columns',
    'sensitive',
    'registeredAt',
  ],
  searchOptions: { boost: { dataset: 3, table: 3 }, prefix: true, fuzzy: 0.15, combineWith: 'AND' as const },
};

/**
 * The catalog's full-text index (MiniSearch, docs/adr/0008-catalog-search-index.md), rebuilt from a
 * snapshot and written back as one. Updates are idempotent: an entry replaces the one of its key,
 * a removal of an absent key does nothing, so a replayed stream record changes nothing.
 */
export function createSearchIndex(snapshot?: string) {
  const index =
    snapshot === undefined
      ? new MiniSearch<IndexedEntry>(OPTIONS)
      : MiniSearch.loadJSON<IndexedEntry>(snapshot, OPTIONS);

  return {
    get size() {
      return index.documentCount;
    },

    upsert(entry: CatalogEntry): void {
      const document = toDocument(entry);
      if (index.has(document.id)) index.replace(document);
      else index.add(document);
    },

    remove(key: string): void {
      if (index.has(key)) index.discard(key);
    },

    search(parameters: CatalogSearchParameters): CatalogSearchResponse {
      const text = parameters.q?.trim() ?? '';
      const hits = index.search(text === '' ? MiniSearch.wildcard : text, {
        filter: (hit) => matchesFilters(hit as unknown as CatalogMatch, parameters),
      });
      const matches = hits.map(
        ({ id: _id, terms: _terms, queryTerms: _query, match: _match, score, ...stored }) => ({
          ...(stored as unknown as Omit<CatalogMatch, 'score'>),
          score: text === '' ? 0 : Number(score.toFixed(4)),
        }),
      );
      // The wildcard scores every entry alike: the newest come first.
      if (text === '')
        matches.sort((a, b) => b.registeredAt.localeCompare(a.registeredAt) || a.key.localeCompare(b.key));
      return {
        total: matches.length,
        matches: matches.slice(0, parameters.limit),
        facets: facetsOf(matches),
      };
    },

    toSnapshot(): string {
      return JSON.stringify(index);
    },
  };
}

export type SearchIndex = ReturnType<typeof createSearchIndex>;

function toDocument(entry: CatalogEntry): IndexedEntry {
  const columns = (entry.schema ?? []).map((column) => column.name);
  const sensitive = entry.sensitive ?? [];
  const partitions = Object.entries(entry.partitions).map(([key, value]) => `${key} ${value}`);
  return {
    id: entry.key,
    key: entry.key,
    zone: entry.zone,
    dataset: entry.dataset,
    ...(entry.table === undefined ? {} : { table: entry.table }),
    format: entry.format,
    compression: entry.compression,
    sizeBytes: entry.sizeBytes,
    partitions: entry.partitions,
    columns,
    sensitive,
    registeredAt: entry.registeredAt,
    text: [...columns, ...sensitive, ...partitions, entry.format, entry.zone].join(' '),
  };
}

function matchesFilters(match: CatalogMatch, parameters: CatalogSearchParameters): boolean {
  if (parameters.dataset !== undefined && match.dataset !== parameters.dataset) return false;
  if (parameters.format !== undefined && match.format !== parameters.format) return false;
  if (parameters.zone !== undefined && match.zone !== parameters.zone) return false;
  const { sensitive } = parameters;
  if (sensitive === 'any') return match.sensitive.length > 0;
  if (sensitive === 'none') return match.sensitive.length === 0;
  return sensitive === undefined || match.sensitive.includes(sensitive);
}

function facetsOf(matches: readonly CatalogMatch[]): CatalogFacets {
  const facets: CatalogFacets = { dataset: {}, format: {}, zone: {}, sensitive: {} };
  const count = (facet: Record<string, number>, value: string) => {
    facet[value] = (facet[value] ?? 0) + 1;
  };
  for (const match of matches) {
    count(facets.dataset, match.dataset);
    count(facets.format, match.format);
    count(facets.zone, match.zone);
    for (const kind of match.sensitive.length === 0 ? ['none'] : match.sensitive)
      count(facets.sensitive, kind);
  }
  return facets;
}
