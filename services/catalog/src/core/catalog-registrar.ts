import type { S3ObjectChange } from '@serverless-patterns/shared/s3-events';
import type { CatalogEntry } from '@serverless-patterns/shared/schemas/events';
import { comparableSequencer, describeLakeObject } from './lake-objects';

/** Stores entries so that an older or replayed event never overwrites a newer one. */
export interface CatalogStore {
  /**
   * Both return false when the store already holds this or a later event for the key. A removal
   * is remembered (with its sequencer) so that an older creation arriving late changes nothing.
   */
  put(entry: CatalogEntry, sequencer: string): Promise<boolean>;
  remove(entry: Pick<CatalogEntry, 'zone' | 'dataset' | 'key'>, sequencer: string): Promise<boolean>;
}

export type RegistrationOutcome = 'registered' | 'removed' | 'unchanged' | 'ignored';

export function createCatalogRegistrar({ catalog, clock }: { catalog: CatalogStore; clock: () => Date }) {
  return {
    async apply(change: S3ObjectChange): Promise<RegistrationOutcome> {
      const described = describeLakeObject(change, clock());
      if (!described.catalogued) return 'ignored';
      const sequencer = comparableSequencer(change.sequencer);
      if (change.kind === 'removed') {
        return (await catalog.remove(described.entry, sequencer)) ? 'removed' : 'unchanged';
      }
      return (await catalog.put(described.entry, sequencer)) ? 'registered' : 'unchanged';
    },
  };
}
