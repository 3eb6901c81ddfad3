import { copyFile, link, mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { UnprocessableError, ValidationError } from '@serverless-patterns/shared/errors';
import type { Column } from '@serverless-patterns/shared/schemas/events';
import type { Sample, SchemaReader } from '../core/catalog-registrar';
import { hiveTypeOf } from '../core/glue-tables';
import type { AttachedTable, LakeTable, RunResult, SqlEngine } from '../core/lake-queries';
import type { ParsedSql } from '../core/sql-policy';

/**
 * DuckDB (`@duckdb/node-api`), the lake's one query engine, locally and in Lambda (a layer copied
 * from node_modules, plugins/duckdb-layer.cjs). Loaded when first used, so that a function that
 * never queries never loads it. Extensions are never installed or loaded: JSON and Parquet are
 * built into the binary, and reading from S3 goes through the SDK (copies in /tmp), not httpfs.
 */
const loadDuckDb = () => import('@duckdb/node-api');

export interface EngineSettings {
  /** DuckDB's memory_limit, in MiB: the rest of the function's memory is Node's and the SDK's. */
  memoryLimitMb: number;
  threads: number;
  /** Where samples and query files are written (Lambda: /tmp). */
  workDir?: string;
}

/** Options every instance starts with: no extension may be fetched or loaded behind our back. */
const BASE_OPTIONS = { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' } as const;

/** Rows read of a whole Parquet object to look for personal data. */
const CLASSIFIED_ROWS = 2_000;

const quoteIdentifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

export function createDuckDbEngine(settings: EngineSettings): SqlEngine & SchemaReader {
  const workDir = settings.workDir ?? tmpdir();
  let parser: Promise<DuckDBInstance> | undefined;

  /** One instance for parsing and binding, which reads no file at all. */
  const parserInstance = () => {
    parser ??= (async () => {
      const { DuckDBInstance } = await loadDuckDb();
      return DuckDBInstance.create(':memory:', {
        ...BASE_OPTIONS,
        threads: '1',
        memory_limit: '64MB',
        enable_external_access: 'false',
        lock_configuration: 'true',
      });
    })();
    return parser;
  };

  /**
   * An instance of its own for one job over files in `directory`: configured while it may still
   * reach them, then locked to that directory alone (external access off, configuration locked),
   * so that nothing the job runs can read or write anything else.
   */
  async function isolatedInstance(
    directory: string,
    prepare: (connection: DuckDBConnection) => Promise<void>,
  ) {
    const { DuckDBInstance } = await loadDuckDb();
    const instance = await DuckDBInstance.create(':memory:', {
      ...BASE_OPTIONS,
      threads: String(settings.threads),
      memory_limit: `${settings.memoryLimitMb}MB`,
      temp_directory: join(directory, 'spill'),
    });
    const connection = await instance.connect();
    await prepare(connection);
    await connection.run(`SET allowed_directories = [${quoteString(`${directory}/`)}]`);
    await connection.run('SET enable_external_access = false');
    await connection.run('SET lock_configuration = true');
    return { instance, connection };
  }

  async function withParser<T>(use: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const connection = await (await parserInstance()).connect();
    try {
      return await use(connection);
    } finally {
      connection.closeSync();
    }
  }

  return {
    parse: (sql) =>
      withParser(async (connection) => {
        const reader = await connection.runAndReadAll('SELECT json_serialize_sql($1::VARCHAR) AS tree', [
          sql,
        ]);
        return JSON.parse(String(reader.getRows()[0]?.[0])) as ParsedSql;
      }),

    // From the text, not from the parsed tree: the tree's 64-bit numbers do not survive JavaScript.
    canonical: (sql) =>
      withParser(async (connection) => {
        const reader = await connection.runAndReadAll(
          'SELECT json_deserialize_sql(json_serialize_sql($1::VARCHAR)) AS sql',
          [sql],
        );
        return String(reader.getRows()[0]?.[0]);
      }),

    bind: (sql, tables) =>
      withParser(async (connection) => {
        for (const table of tables)
          await connection.run(`CREATE TEMP VIEW ${quoteIdentifier(table.name)} AS ${emptyRowsOf(table)}`);
        try {
          await connection.prepare(sql);
        } catch (error) {
          throw new ValidationError(`The SQL does not fit the lake's tables: ${firstLine(error)}`, {
            cause: error,
          });
        }
      }),

    async describe(sample: Sample) {
      const directory = await mkdtemp(join(workDir, 'lake-sample-'));
      try {
        const file = join(directory, `sample.${sample.format}`);
        await writeSample(file, sample);
        const { instance, connection } = await isolatedInstance(directory, async () => {});
        try {
          const source = readerOf(sample.format, [file]);
          const described = await connection.runAndReadAll(`DESCRIBE SELECT * FROM ${source}`);
          const columns = described
            .getRowObjectsJS()
            .map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
          if (sample.format !== 'parquet' || !sample.whole) return { columns };
          const rows = await connection.runAndReadAll(`SELECT * FROM ${source} LIMIT ${CLASSIFIED_ROWS}`);
          return {
            columns,
            rowsAsText: rows
              .getRowObjectsJson()
              .map((row) => JSON.stringify(row))
              .join('\n'),
          };
        } finally {
          connection.closeSync();
          instance.closeSync();
        }
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },

    async run({ sql, tables, maxRows, timeoutMs, pageSize }): Promise<RunResult> {
      const directory = await mkdtemp(join(workDir, 'lake-query-'));
      const dispose = () => rm(directory, { recursive: true, force: true });
      try {
        const views = await linkFiles(directory, tables);
        const { instance, connection } = await isolatedInstance(directory, async (setup) => {
          for (const { table, partitions } of views)
            await setup.run(`CREATE VIEW ${quoteIdentifier(table.name)} AS ${viewOf(table, partitions)}`);
        });
        const timer = setTimeout(() => connection.interrupt(), timeoutMs);
        try {
          // One more row than allowed tells "over the limit" apart from "exactly at it".
          await connection.run(
            `CREATE TEMP TABLE __result AS SELECT * FROM (\n${sql}\n) LIMIT ${maxRows + 1}`,
          );
          const rowCount = Number(
            (await connection.runAndReadAll('SELECT count(*) FROM __result')).getRows()[0]?.[0],
          );
          if (rowCount > maxRows)
            throw new UnprocessableError(
              'ROW_LIMIT_EXCEEDED',
              `The result has more than ${maxRows} rows; aggregate or add a LIMIT`,
            );
          const file = join(directory, 'result.parquet');
          await connection.run(`COPY __result TO ${quoteString(file)} (FORMAT parquet, COMPRESSION zstd)`);
          const described = await connection.runAndReadAll('DESCRIBE __result');
          const columns: Column[] = described
            .getRowObjectsJS()
            .map((row) => ({ name: String(row.column_name), type: hiveTypeOf(String(row.column_type)) }));
          const rows = (
            await connection.runAndReadAll(`SELECT * FROM __result LIMIT ${pageSize}`)
          ).getRowsJson() as unknown[][];
          return { columns, rowCount, rows, file, dispose };
        } catch (error) {
          throw engineError(error, timeoutMs);
        } finally {
          clearTimeout(timer);
          connection.closeSync();
          instance.closeSync();
        }
      } catch (error) {
        await dispose();
        throw error;
      }
    },
  };
}

/** The query's files under its own directory (hard links: no copy, and the cache may evict freely). */
async function linkFiles(directory: string, tables: readonly AttachedTable[]) {
  const input = join(directory, 'input');
  await mkdir(input);
  let count = 0;
  const views = [];
  for (const { table, partitions } of tables) {
    const linked = [];
    for (const partition of partitions) {
      const files = [];
      for (const file of partition.files) {
        count += 1;
        const target = join(input, `${count}${file.endsWith('.gz') ? '.gz' : ''}`);
        await link(file, target).catch(() => copyFile(file, target));
        files.push(target);
      }
      if (files.length > 0) linked.push({ values: partition.values, files });
    }
    views.push({ table, partitions: linked });
  }
  return views;
}

function readerOf(format: LakeTable['format'], files: readonly string[]): string {
  const list = `[${files.map(quoteString).join(', ')}]`;
  if (format === 'parquet') return `read_parquet(${list}, union_by_name = true)`;
  if (format === 'csv') return `read_csv(${list}, union_by_name = true)`;
  return `read_json(${list}, format = 'newline_delimited', union_by_name = true)`;
}

/**
 * A table as a view over its partitions' files: each partition's files read together, its
 * partition values added as columns of the key's type (a file column of the same name gives way,
 * as in Hive), the partitions combined by column name. No partition kept: no rows, same columns.
 */
function viewOf(table: LakeTable, partitions: readonly { values: string[]; files: string[] }[]): string {
  if (partitions.length === 0) return emptyRowsOf(table);
  const keys = table.partitionKeys;
  const keyNames = keys.map((key) => quoteString(key.name)).join(', ');
  return partitions
    .map(({ values, files }) => {
      const added = keys.map(
        (key, index) =>
          `CAST(${quoteString(values[index] ?? '')} AS ${duckDbTypeOf(key.type)}) AS ${quoteIdentifier(key.name)}`,
      );
      const columns =
        keys.length === 0 ? '*' : `COLUMNS(c -> lower(c) NOT IN (${keyNames})), ${added.join(', ')}`;
      return `SELECT ${columns} FROM ${readerOf(table.format, files)}`;
    })
    .join('\nUNION ALL BY NAME\n');
}

/** No rows, with the table's columns and partition keys as Glue types them: what binding needs. */
function emptyRowsOf(table: LakeTable): string {
  const columns = [...table.columns, ...table.partitionKeys].map(
    (column) => `CAST(NULL AS ${duckDbTypeOf(column.type)}) AS ${quoteIdentifier(column.name)}`,
  );
  return `SELECT ${columns.join(', ') || 'NULL AS "empty"'} WHERE false`;
}

const DUCKDB_SCALARS: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  varchar: 'VARCHAR',
  char: 'VARCHAR',
  boolean: 'BOOLEAN',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  int: 'INTEGER',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  binary: 'BLOB',
};

/** A Hive type (Glue) as DuckDB spells it: `array<string>` -> `VARCHAR[]`, `struct<a:int>` -> `STRUCT("a" INTEGER)`. */
export function duckDbTypeOf(hiveType: string): string {
  const type = hiveType.trim().toLowerCase();
  const complex = /^(array|map|struct)<(.*)>$/s.exec(type);
  if (complex?.[1] !== undefined && complex[2] !== undefined) {
    const parts = splitHive(complex[2]);
    if (complex[1] === 'array') return `${duckDbTypeOf(complex[2])}[]`;
    if (complex[1] === 'map')
      return `MAP(${duckDbTypeOf(parts[0] ?? 'string')}, ${duckDbTypeOf(parts[1] ?? 'string')})`;
    const fields = parts.map((field) => {
      const colon = field.indexOf(':');
      return `${quoteIdentifier(field.slice(0, colon))} ${duckDbTypeOf(field.slice(colon + 1))}`;
    });
    return `STRUCT(${fields.join(', ')})`;
  }
  const decimal = /^decimal\((\d+),(\d+)\)$/.exec(type);
  if (decimal !== null) return `DECIMAL(${decimal[1]}, ${decimal[2]})`;
  return DUCKDB_SCALARS[type.replace(/\(\d+\)$/, '')] ?? 'VARCHAR';
}

function splitHive(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const character of text) {
    if (character === '<' || character === '(') depth += 1;
    if (character === '>' || character === ')') depth -= 1;
    if (character === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += character;
  }
  parts.push(current);
  return parts;
}

/**
 * A sample on disk for DuckDB. Parquet read from its footer alone is written as a sparse file of
 * the object's size with the footer at its end: DuckDB reads a Parquet schema from the footer only,
 * and the file takes no more disk than the footer.
 */
async function writeSample(file: string, sample: Sample): Promise<void> {
  if (sample.format !== 'parquet' || sample.whole) {
    await writeFile(file, sample.format === 'parquet' ? sample.bytes : sample.text);
    return;
  }
  const handle = await open(file, 'w');
  try {
    await handle.truncate(sample.sizeBytes);
    await handle.write(sample.bytes, 0, sample.bytes.length, sample.sizeBytes - sample.bytes.length);
  } finally {
    await handle.close();
  }
}

/** DuckDB's errors as the caller's: the time limit, memory, or what the SQL did (a cast that failed). */
function engineError(error: unknown, timeoutMs: number): Error {
  if (!(error instanceof Error) || error instanceof UnprocessableError) return error as Error;
  if (/interrupt/i.test(error.message))
    return new UnprocessableError(
      'TIME_LIMIT_EXCEEDED',
      `The query ran longer than ${timeoutMs / 1000} s and was stopped`,
      { cause: error },
    );
  if (/out of memory/i.test(error.message))
    return new UnprocessableError(
      'MEMORY_LIMIT_EXCEEDED',
      `The query needed more memory than it is given: ${firstLine(error)}`,
      {
        cause: error,
      },
    );
  return new UnprocessableError('QUERY_FAILED', firstLine(error), { cause: error });
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
