import { Readable } from 'node:stream';
import type { CatalogEntry } from '@serverless-patterns/shared/schemas/events';
import type { SdkStreamMixin } from '@smithy/types';
import type {
  CatalogStore,
  LakeObjects,
  LakeTables,
  ObjectVersion,
  Sample,
  SchemaReader,
  WriteOutcome,
} from '../../src/core/catalog-registrar';
import type { PartitionDefinition, TableDefinition } from '../../src/core/glue-tables';
import { widenColumns } from '../../src/core/glue-tables';

interface StoredKey {
  /** Undefined once the object was removed: the sequencer stays, so an older event cannot revive it. */
  entry: CatalogEntry | undefined;
  sequencer: string;
}

/** Honours the CatalogStore contract: a write with a sequencer not greater than the stored one is refused. */
export class InMemoryCatalog implements CatalogStore {
  readonly keys = new Map<string, StoredKey>();
  readonly acceptedWrites: Array<{ kind: 'put' | 'remove'; key: string; sequencer: string }> = [];
  calls = 0;

  async put(entry: CatalogEntry, sequencer: string): Promise<WriteOutcome> {
    this.calls += 1;
    const refused = this.refusal(entry.key, sequencer);
    if (refused !== undefined) return refused;
    this.keys.set(entry.key, { entry, sequencer });
    this.acceptedWrites.push({ kind: 'put', key: entry.key, sequencer });
    return 'written';
  }

  async remove(
    entry: Pick<CatalogEntry, 'zone' | 'dataset' | 'key'>,
    sequencer: string,
  ): Promise<WriteOutcome> {
    this.calls += 1;
    const refused = this.refusal(entry.key, sequencer);
    if (refused !== undefined) return refused;
    this.keys.set(entry.key, { entry: undefined, sequencer });
    this.acceptedWrites.push({ kind: 'remove', key: entry.key, sequencer });
    return 'written';
  }

  async hasLiveObjects(_entry: Pick<CatalogEntry, 'zone' | 'dataset'>, folder: string): Promise<boolean> {
    return [...this.keys].some(([key, stored]) => stored.entry !== undefined && key.startsWith(folder));
  }

  entryOf(key: string): CatalogEntry | undefined {
    return this.keys.get(key)?.entry;
  }

  private refusal(key: string, sequencer: string): WriteOutcome | undefined {
    const stored = this.keys.get(key);
    if (stored === undefined || sequencer > stored.sequencer) return undefined;
    return sequencer === stored.sequencer ? 'replayed' : 'stale';
  }
}

/** Objects by key, as bytes; `tags` keeps what was tagged. */
export class InMemoryObjects implements LakeObjects {
  readonly bodies = new Map<string, Uint8Array>();
  readonly tags = new Map<string, Record<string, string>>();

  async head(object: ObjectVersion, length: number) {
    const body = this.bodies.get(object.key);
    return body === undefined
      ? undefined
      : { bytes: body.subarray(0, length), complete: body.length <= length };
  }

  async tail(object: ObjectVersion, length: number) {
    return this.bodies.get(object.key)?.subarray(-length);
  }

  async tag(object: ObjectVersion, tags: Record<string, string>) {
    this.tags.set(object.key, { ...this.tags.get(object.key), ...tags });
  }
}

/** Describes a JSON lines sample by its first line's keys, every column a VARCHAR. */
export class FirstLineSchemas implements SchemaReader {
  readonly samples: Sample[] = [];

  async describe(sample: Sample) {
    this.samples.push(sample);
    if (sample.format !== 'jsonl') return { columns: [{ name: 'value', type: 'VARCHAR' }] };
    const first = JSON.parse(sample.text.split('\n')[0] ?? '{}') as Record<string, unknown>;
    return { columns: Object.keys(first).map((name) => ({ name, type: 'VARCHAR' })) };
  }
}

/** The Glue catalog's contract in memory: idempotent tables and partitions, columns only widened. */
export class InMemoryTables implements LakeTables {
  readonly tables = new Map<string, TableDefinition>();
  readonly partitions = new Map<string, PartitionDefinition>();
  readonly changes: string[] = [];

  async ensureTable(table: TableDefinition) {
    const existing = this.tables.get(table.name);
    if (existing === undefined) {
      this.tables.set(table.name, table);
      this.changes.push(`create ${table.name}`);
      return 'created' as const;
    }
    if (existing.location !== table.location) return { conflict: `${table.name} reads ${existing.location}` };
    const columns = widenColumns(existing.columns, table.columns);
    if (columns.length === existing.columns.length) return 'unchanged' as const;
    this.tables.set(table.name, { ...existing, columns });
    this.changes.push(`widen ${table.name}`);
    return 'widened' as const;
  }

  async ensurePartition(tableName: string, partition: PartitionDefinition) {
    const id = `${tableName}/${partition.values.join('/')}`;
    if (this.partitions.has(id)) return 'exists' as const;
    this.partitions.set(id, partition);
    this.changes.push(`add ${id}`);
    return 'added' as const;
  }

  async removePartition(tableName: string, values: string[]) {
    const id = `${tableName}/${values.join('/')}`;
    if (!this.partitions.delete(id)) return 'absent' as const;
    this.changes.push(`drop ${id}`);
    return 'removed' as const;
  }
}

/** A GetObject body as the SDK gives it: a stream that can also be read whole. */
export function s3Body(content: Uint8Array | string): Readable & SdkStreamMixin {
  const bytes = Buffer.from(content);
  return Object.assign(Readable.from([bytes]), {
    transformToByteArray: async () => new Uint8Array(bytes),
    transformToString: async () => bytes.toString('utf8'),
    transformToWebStream: () => Readable.toWeb(Readable.from([bytes])) as ReadableStream,
  });
}
