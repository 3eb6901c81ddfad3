import { createRequire } from 'node:module';

/** Requires a module as kinesalite itself does (its own dependencies, its own files). */
export const requireFromKinesalite = createRequire(createRequire(import.meta.url).resolve('kinesalite'));

/**
 * kinesalite's db module, whose exports its actions call as db.parseSequence(...),
 * db.partitionKeyToHashKey(...): replacing an export there replaces it for every action.
 */
export function kinesaliteDb<Exports>(): Exports {
  return requireFromKinesalite('./db') as Exports;
}
