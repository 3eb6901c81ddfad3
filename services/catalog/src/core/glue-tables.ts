import type { CatalogEntry, Column, DataFormat, LakeZone } from '@serverless-patterns/shared/schemas/events';

/**
 * The SQL table of a dataset, as the Glue Data Catalog keeps it (a Hive metastore table): Athena in
 * AWS and the query service's DuckDB read the same definition.
 */
export interface TableDefinition {
  name: string;
  /** `s3://<bucket>/<zone>/<dataset>/`: every object of the dataset is below it. */
  location: string;
  format: Exclude<DataFormat, 'unknown'>;
  compression: 'gzip' | 'none';
  columns: Column[];
  partitionKeys: Column[];
}

/** A partition of a table: its values in the order of the table's partition keys, and its folder. */
export interface PartitionDefinition {
  values: string[];
  location: string;
}

/** The zones whose datasets become tables; query results are not data of the lake. */
const QUERYABLE_ZONES: readonly LakeZone[] = ['curated', 'raw', 'backup', 'errors'];

/**
 * `curated/ngram` is table `ngram` (the refined data is what people query); other zones are prefixed
 * (`raw_clickstream`, `errors_clickstream`), so that the same dataset in two zones never collides.
 * Glue and Athena want lower case letters, digits and underscores; anything else becomes `_`.
 * https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
 */
export function tableNameOf(zone: LakeZone, dataset: string): string | undefined {
  if (!QUERYABLE_ZONES.includes(zone)) return undefined;
  const base = (zone === 'curated' ? dataset : `${zone}_${dataset}`)
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, '_');
  const name = /^[a-z]/.test(base) ? base : `t_${base}`;
  return name.slice(0, 255);
}

/** The table an entry's dataset needs, or why it has none. */
export function tableDefinitionOf(
  entry: Pick<
    CatalogEntry,
    'bucket' | 'zone' | 'dataset' | 'partitions' | 'format' | 'compression' | 'schema'
  >,
): TableDefinition | { reason: string } {
  const name = tableNameOf(entry.zone, entry.dataset);
  if (name === undefined) return { reason: `zone ${entry.zone} is not queryable` };
  if (entry.format === 'unknown') return { reason: 'its format is not one a table can read' };
  if (entry.schema === undefined || entry.schema.length === 0) return { reason: 'no schema could be read' };
  const partitionKeys = Object.entries(entry.partitions).map(([key, value]) => ({
    name: key.toLowerCase(),
    type: partitionKeyType(value),
  }));
  const keyNames = new Set(partitionKeys.map((key) => key.name));
  return {
    name,
    location: `s3://${entry.bucket}/${entry.zone}/${entry.dataset}/`,
    format: entry.format,
    compression: entry.compression,
    // A column named like a partition key would shadow it in Hive: the key wins.
    columns: uniqueColumns(entry.schema).filter((column) => !keyNames.has(column.name)),
    partitionKeys,
  };
}

export function partitionOf(
  entry: Pick<CatalogEntry, 'bucket' | 'key' | 'partitions'>,
): PartitionDefinition | undefined {
  const values = Object.values(entry.partitions);
  if (values.length === 0) return undefined;
  return { values, location: `s3://${entry.bucket}/${entry.key.slice(0, entry.key.lastIndexOf('/') + 1)}` };
}

/**
 * A partition key's type is set by the first value the table sees: whole numbers make it `bigint`
 * (so that `year = 2026` and `year > 1999` compare numbers, in Glue's partition filter and in SQL),
 * anything else `string`.
 */
export function partitionKeyType(value: string): 'bigint' | 'string' {
  return /^-?\d{1,18}$/.test(value) ? 'bigint' : 'string';
}

/** Hive column names are case-insensitive: the first of two names that differ only in case is kept. */
function uniqueColumns(columns: readonly Column[]): Column[] {
  const seen = new Set<string>();
  return columns.flatMap((column) => {
    const name = column.name.toLowerCase();
    if (seen.has(name)) return [];
    seen.add(name);
    return [{ name, type: column.type }];
  });
}

/**
 * The table's columns after an object with `incoming` columns arrived: every existing column kept
 * in its place (never dropped, whatever a new object lacks), new ones appended, and a column seen
 * with two types widened to one that holds both (int -> bigint -> double, else string).
 */
export function widenColumns(existing: readonly Column[], incoming: readonly Column[]): Column[] {
  const byName = new Map(existing.map((column) => [column.name, column.type]));
  for (const column of incoming) {
    const known = byName.get(column.name);
    byName.set(column.name, known === undefined ? column.type : widerType(known, column.type));
  }
  return [...byName].map(([name, type]) => ({ name, type }));
}

const INTEGER_RANK: Readonly<Record<string, number>> = { tinyint: 1, smallint: 2, int: 3, bigint: 4 };
const FLOATING = new Set(['float', 'double']);

export function widerType(a: string, b: string): string {
  if (a === b) return a;
  const rankA = INTEGER_RANK[a];
  const rankB = INTEGER_RANK[b];
  if (rankA !== undefined && rankB !== undefined) return rankA > rankB ? a : b;
  const numeric = (type: string) => INTEGER_RANK[type] !== undefined || FLOATING.has(type);
  if (numeric(a) && numeric(b)) return 'double';
  return 'string';
}

export function sameColumns(a: readonly Column[], b: readonly Column[]): boolean {
  return (
    a.length === b.length &&
    a.every((column, index) => column.name === b[index]?.name && column.type === b[index]?.type)
  );
}

/**
 * DuckDB's type names (DESCRIBE) as Hive types, so that Athena reads what DuckDB inferred.
 * https://duckdb.org/docs/stable/sql/data_types/overview  https://docs.aws.amazon.com/athena/latest/ug/data-types.html
 */
export function hiveTypeOf(duckdbType: string): string {
  const type = duckdbType.trim();
  if (type.endsWith('[]')) return `array<${hiveTypeOf(type.slice(0, -2))}>`;
  const list = /^(\w+)\((.*)\)$/s.exec(type);
  if (list?.[1] !== undefined && list[2] !== undefined) {
    const [name, inner] = [list[1].toUpperCase(), list[2]];
    if (name === 'STRUCT') {
      const fields = splitTopLevel(inner).map((field) => {
        const [fieldName, fieldType] = splitField(field);
        return `${fieldName.toLowerCase()}:${hiveTypeOf(fieldType)}`;
      });
      return `struct<${fields.join(',')}>`;
    }
    if (name === 'MAP') {
      const [keyType = 'VARCHAR', valueType = 'VARCHAR'] = splitTopLevel(inner);
      return `map<${hiveTypeOf(keyType)},${hiveTypeOf(valueType)}>`;
    }
    if (name === 'DECIMAL') return `decimal(${inner.replace(/\s/g, '')})`;
  }
  return SCALAR_TYPES[type.toUpperCase()] ?? 'string';
}

const SCALAR_TYPES: Readonly<Record<string, string>> = {
  BOOLEAN: 'boolean',
  TINYINT: 'tinyint',
  SMALLINT: 'smallint',
  INTEGER: 'int',
  BIGINT: 'bigint',
  UTINYINT: 'smallint',
  USMALLINT: 'int',
  UINTEGER: 'bigint',
  UBIGINT: 'decimal(20,0)',
  HUGEINT: 'decimal(38,0)',
  FLOAT: 'float',
  DOUBLE: 'double',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  'TIMESTAMP WITH TIME ZONE': 'timestamp',
  TIMESTAMP_S: 'timestamp',
  TIMESTAMP_MS: 'timestamp',
  TIMESTAMP_NS: 'timestamp',
  BLOB: 'binary',
  VARCHAR: 'string',
};

/** `a INTEGER, b STRUCT(c VARCHAR, d INTEGER)` split at the commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const character of text) {
    if (character === '"') quoted = !quoted;
    if (!quoted && character === '(') depth += 1;
    if (!quoted && character === ')') depth -= 1;
    if (!quoted && depth === 0 && character === ',') {
      parts.push(current.trim());
      current = '';
    } else current += character;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

/** `"field name" VARCHAR` or `field VARCHAR` into its name and type. */
function splitField(field: string): [string, string] {
  const quoted = /^"((?:[^"]|"")*)"\s+(.*)$/s.exec(field);
  if (quoted?.[1] !== undefined && quoted[2] !== undefined) return [quoted[1].replace(/""/g, '"'), quoted[2]];
  const space = field.indexOf(' ');
  return [field.slice(0, space), field.slice(space + 1)];
}
