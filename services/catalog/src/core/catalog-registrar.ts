import type { CatalogEntry } from '@serverless-patterns/shared/schemas/events';
import { comparableSequencer, describeLakeObject, type LakeObject } from './lake-objects';

/** Stores entries so that an older or replayed event never overwrites a newer one. */
export interface CatalogStore {
  /**
   * Both return false when the store already holds this or a later event for the key. A removal
   * is remembered (with its sequencer) so that an older creation arriving late changes nothing.
   */
  put(entry: CatalogEntry, sequencer: string): Promise<boolean>;
  remove(entry: Pick<CatalogEntry, 'zone' | 'dataset' | 'key'>, sequencer: string): Promise<boolean>;
}

export interface LakeObjectEvent {
  kind: 'created' | 'removed';
  object: LakeObject;
  sequencer: string;
}

export type RegistrationOutcome = 'registered' | 'removed' | 'unchanged' | 'ignored';

export function createCatalogRegistrar({ catalog, clock }: { catalog: CatalogStore; clock: () => Date }) {
  return {
    async apply(event: LakeObjectEvent): Promise<RegistrationOutcome> {
      const described = describeLakeObject(event.object, clock());
      if (!described.catalogued) return 'ignored';
      const sequencer = comparableSequencer(event.sequencer);
      if (event.kind === 'removed') {
        return (await catalog.remove(described.entry, sequencer)) ? 'removed' : 'unchanged';
      }
      return (await catalog.put(described.entry, sequencer)) ? 'registered' : 'unchanged';
    },
  };
}
