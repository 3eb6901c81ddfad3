import type { S3ObjectChange } from '@serverless-patterns/shared/s3-events';
import type { CatalogEntry, Column, SensitiveDataClass } from '@serverless-patterns/shared/schemas/events';
import { sniffContent } from './content-sniffing';
import {
  hiveTypeOf,
  type PartitionDefinition,
  partitionOf,
  type TableDefinition,
  tableDefinitionOf,
  tableNameOf,
} from './glue-tables';
import { comparableSequencer, describeLakeObject, folderOf, type LakePlace } from './lake-objects';
import { classifySample } from './sensitive-data';

/** What a conditional write found: it wrote, the same event was already written, or a later one was. */
export type WriteOutcome = 'written' | 'replayed' | 'stale';

/** Stores entries so that an older or replayed event never overwrites a newer one. */
export interface CatalogStore {
  /**
   * Writes unless the store holds this or a later event for the key. A removal is remembered (with
   * its sequencer) so that an older creation arriving late changes nothing.
   */
  put(entry: CatalogEntry, sequencer: string): Promise<WriteOutcome>;
  remove(entry: Pick<CatalogEntry, 'zone' | 'dataset' | 'key'>, sequencer: string): Promise<WriteOutcome>;
  /** Whether an object of the dataset that is not removed has a key starting with `folder`. */
  hasLiveObjects(entry: Pick<CatalogEntry, 'zone' | 'dataset'>, folder: string): Promise<boolean>;
}

/** One version of one object. */
export interface ObjectVersion {
  bucket: string;
  key: string;
  versionId?: string;
}

/** Reads and tags the lake's objects. */
export interface LakeObjects {
  /** The first `length` bytes (all of them when `complete`), or undefined when the version is gone. */
  head(object: ObjectVersion, length: number): Promise<{ bytes: Uint8Array; complete: boolean } | undefined>;
  /** The last `length` bytes, or undefined when the version is gone. */
  tail(object: ObjectVersion, length: number): Promise<Uint8Array | undefined>;
  /** Replaces the catalog's own tags on the object (others are kept). */
  tag(object: ObjectVersion, tags: Record<string, string>): Promise<void>;
}

/** A sample of an object, for the query engine to describe. */
export type Sample =
  | { format: 'jsonl' | 'csv'; text: string }
  /** Parquet: the whole file, or its footer (the last bytes) and its size. */
  | { format: 'parquet'; bytes: Uint8Array; sizeBytes: number; whole: boolean };

/** Infers a schema on read, as the query engine will read the data. */
export interface SchemaReader {
  /** The columns (engine types) and, when rows could be read, the first of them as text. */
  describe(sample: Sample): Promise<{ columns: { name: string; type: string }[]; rowsAsText?: string }>;
}

/** The SQL tables of the lake (the Glue Data Catalog); every call is idempotent. */
export interface LakeTables {
  /** Creates the table, or widens its columns; a table of another dataset or format is left alone. */
  ensureTable(table: TableDefinition): Promise<'created' | 'widened' | 'unchanged' | { conflict: string }>;
  /** Adds the partition unless it exists (storage as its table's). */
  ensurePartition(tableName: string, partition: PartitionDefinition): Promise<'added' | 'exists'>;
  removePartition(tableName: string, values: string[]): Promise<'removed' | 'absent'>;
}

export type RegistrationOutcome = 'registered' | 'removed' | 'unchanged' | 'ignored';

/** What the register function reads of each object: a bounded sample, whatever the object's size. */
export const SAMPLE_BYTES = 1024 * 1024;
/** Enough for the footer of most Parquet files; a longer one is read in a second request. */
const PARQUET_TAIL_BYTES = 64 * 1024;
const PARQUET_TRAILER_BYTES = 8;

export interface RegistrarLog {
  warn(message: string, details: Record<string, unknown>): void;
}

/**
 * Keeps the catalog table, the Glue Data Catalog and the objects' tags in step with the lake, from
 * S3's event notifications (at least once, in any order).
 *
 * Replays change nothing: the catalog write is conditional on S3's sequencer, and everything else
 * is idempotent (a table widened only by columns it lacks, a partition added unless it exists, the
 * same tags). The catalog is written before Glue: a crash between the two leaves a catalog entry
 * whose table work is done again by the retry, which finds its own event already written
 * ('replayed') and completes it.
 */
export function createCatalogRegistrar({
  catalog,
  objects,
  schemas,
  tables,
  clock,
  log,
}: {
  catalog: CatalogStore;
  objects: LakeObjects;
  schemas: SchemaReader;
  tables: LakeTables;
  clock: () => Date;
  log: RegistrarLog;
}) {
  async function inspect(place: LakePlace): Promise<CatalogEntry | undefined> {
    const version = {
      bucket: place.bucket,
      key: place.key,
      ...(place.versionId ? { versionId: place.versionId } : {}),
    };
    const head = await objects.head(version, SAMPLE_BYTES);
    if (head === undefined) return undefined;
    const sniffed = sniffContent(head.bytes, head.complete);
    const entry: CatalogEntry = {
      ...place,
      format: sniffed.format,
      compression: sniffed.compression,
      sensitive: [],
    };
    const sample = await sampleOf(version, place.sizeBytes, sniffed, head);
    if (sample === undefined) {
      entry.sensitive = sniffed.text === undefined ? [] : classifySample(sniffed.text);
      return entry;
    }
    try {
      const described = await schemas.describe(sample);
      entry.schema = described.columns.map(
        ({ name, type }) => ({ name, type: hiveTypeOf(type) }) satisfies Column,
      );
      const text = sample.format === 'parquet' ? described.rowsAsText : sample.text;
      entry.sensitive = text === undefined ? [] : classifySample(text);
    } catch (error) {
      // Data that the engine cannot read is still catalogued (and searchable), without a schema.
      log.warn('schema not inferred', { key: place.key, error: (error as Error).message });
      entry.sensitive = sniffed.text === undefined ? [] : classifySample(sniffed.text);
    }
    const table = tableDefinitionOf(entry);
    if ('name' in table) entry.table = table.name;
    return entry;
  }

  async function sampleOf(
    version: ObjectVersion,
    sizeBytes: number,
    sniffed: ReturnType<typeof sniffContent>,
    head: { bytes: Uint8Array; complete: boolean },
  ): Promise<Sample | undefined> {
    if (sniffed.format === 'jsonl' || sniffed.format === 'csv')
      return sniffed.text === undefined ? undefined : { format: sniffed.format, text: sniffed.text };
    if (sniffed.format !== 'parquet') return undefined;
    if (head.complete) return { format: 'parquet', bytes: head.bytes, sizeBytes, whole: true };
    // A Parquet file ends with its footer, the footer's length (4 bytes, little-endian) and PAR1.
    // https://parquet.apache.org/docs/file-format/
    let tail = await objects.tail(version, Math.min(PARQUET_TAIL_BYTES, sizeBytes));
    if (tail === undefined || tail.length < PARQUET_TRAILER_BYTES) return undefined;
    const footerLength = Buffer.from(tail).readUInt32LE(tail.length - PARQUET_TRAILER_BYTES);
    if (footerLength + PARQUET_TRAILER_BYTES > tail.length) {
      if (footerLength + PARQUET_TRAILER_BYTES > Math.min(sizeBytes, 16 * SAMPLE_BYTES)) return undefined;
      tail = await objects.tail(version, footerLength + PARQUET_TRAILER_BYTES);
      if (tail === undefined) return undefined;
    }
    return { format: 'parquet', bytes: tail, sizeBytes, whole: false };
  }

  async function registerInGlue(entry: CatalogEntry): Promise<void> {
    const table = tableDefinitionOf(entry);
    if (!('name' in table)) return;
    const outcome = await tables.ensureTable(table);
    if (typeof outcome === 'object') {
      log.warn('table not updated', { key: entry.key, table: table.name, reason: outcome.conflict });
      return;
    }
    const partition = partitionOf(entry);
    if (partition !== undefined) await tables.ensurePartition(table.name, partition);
  }

  /**
   * Drops the object's partition from Glue when no object is left in it. A creation racing with the
   * drop writes its catalog entry before it adds the partition, so the second look after the drop
   * sees that entry if the creation's own look came too early, and puts the partition back.
   */
  async function dropPartitionIfEmpty(place: LakePlace): Promise<void> {
    const tableName = tableNameOf(place.zone, place.dataset);
    const partition = partitionOf(place);
    if (tableName === undefined || partition === undefined) return;
    const folder = folderOf(place.key);
    if (await catalog.hasLiveObjects(place, folder)) return;
    await tables.removePartition(tableName, partition.values);
    if (await catalog.hasLiveObjects(place, folder)) await tables.ensurePartition(tableName, partition);
  }

  return {
    async apply(change: S3ObjectChange): Promise<RegistrationOutcome> {
      const described = describeLakeObject(change, clock());
      if (!described.catalogued) return 'ignored';
      const sequencer = comparableSequencer(change.sequencer);
      if (change.kind === 'removed') {
        const removal = await catalog.remove(described.entry, sequencer);
        if (removal === 'stale') return 'unchanged';
        await dropPartitionIfEmpty(described.entry);
        return removal === 'written' ? 'removed' : 'unchanged';
      }
      // Gone already (deleted, or overwritten in an unversioned bucket): its later event says so.
      const entry = await inspect(described.entry);
      if (entry === undefined) return 'unchanged';
      const written = await catalog.put(entry, sequencer);
      if (written === 'stale') return 'unchanged';
      await registerInGlue(entry);
      await objects.tag(entry, sensitiveTags(entry.sensitive ?? []));
      return written === 'written' ? 'registered' : 'unchanged';
    },
  };
}

/** S3 tag values allow letters, digits, spaces and + - = . _ : / @ (no commas). */
export function sensitiveTags(classes: readonly SensitiveDataClass[]): Record<string, string> {
  return { 'lake:sensitive-data': classes.length === 0 ? 'none' : classes.join('+') };
}
