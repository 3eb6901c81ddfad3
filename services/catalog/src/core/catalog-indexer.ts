import type { CatalogSearchParameters, CatalogSearchResponse } from '@serverless-patterns/shared/schemas/api';
import type { CatalogEntry } from '@serverless-patterns/shared/schemas/events';
import { createSearchIndex, type SearchIndex } from './search-index';

/** A change of the catalog, as its table's stream tells it. */
export type IndexChange = { kind: 'upsert'; entry: CatalogEntry } | { kind: 'remove'; key: string };

/**
 * Where the index is kept: immutable snapshots and a pointer to the current one, which moves only
 * from the version a writer read (a compare-and-set), so two writers never lose each other's work.
 */
export interface IndexSnapshots {
  /** The current version (0 before the first snapshot) and, unless it is `knownVersion`, its content. */
  latest(knownVersion?: number): Promise<{ version: number; content?: string }>;
  /** Makes `content` version `version + 1`; false when the current version is no longer `version`. */
  replace(version: number, content: string): Promise<boolean>;
}

export class IndexContentionError extends Error {
  override readonly name = 'IndexContentionError';
}

const MAX_ATTEMPTS = 8;

/**
 * Applies a batch of catalog changes to the index: read the current snapshot, apply, and write the
 * next version only if nobody wrote one meanwhile; otherwise read again and re-apply (the changes
 * are idempotent). The stream mapping runs one batch per shard at a time; this keeps shards (and a
 * retried batch beside a new one) from overwriting each other. Out of attempts, the batch fails and
 * the stream delivers it again.
 */
export function createCatalogIndexer({ snapshots }: { snapshots: IndexSnapshots }) {
  return {
    async apply(changes: readonly IndexChange[]): Promise<{ version: number; documents: number }> {
      if (changes.length === 0) return { version: -1, documents: -1 };
      for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
        const { version, content } = await snapshots.latest();
        const index = createSearchIndex(content);
        for (const change of changes) {
          if (change.kind === 'upsert') index.upsert(change.entry);
          else index.remove(change.key);
        }
        if (await snapshots.replace(version, index.toSnapshot()))
          return { version: version + 1, documents: index.size };
      }
      throw new IndexContentionError(`the index changed under ${MAX_ATTEMPTS} attempts in a row`);
    },
  };
}

/** Answers searches from the latest snapshot, loaded again only when its version moved. */
export function createCatalogSearch({ snapshots }: { snapshots: IndexSnapshots }) {
  let loaded: { version: number; index: SearchIndex } | undefined;
  return {
    async search(parameters: CatalogSearchParameters): Promise<CatalogSearchResponse> {
      const latest = await snapshots.latest(loaded?.version);
      if (loaded === undefined || latest.version !== loaded.version)
        loaded = { version: latest.version, index: createSearchIndex(latest.content) };
      return loaded.index.search(parameters);
    },
  };
}
