import {
  AppError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '@serverless-patterns/shared/errors';
import type { QueryError, QueryLimits, QueryView } from '@serverless-patterns/shared/schemas/api';
import type { Column, DataFormat } from '@serverless-patterns/shared/schemas/events';
import { checkQuery, type ParsedSql, partitionFilter } from './sql-policy';

/** A lake table as the query service reads it from the Glue Data Catalog. */
export interface LakeTable {
  name: string;
  location: string;
  format: Exclude<DataFormat, 'unknown'>;
  columns: Column[];
  partitionKeys: Column[];
}

export interface TablePartition {
  values: string[];
  location: string;
}

/** The Glue Data Catalog, read side. */
export interface TableCatalog {
  table(name: string): Promise<LakeTable | undefined>;
  /** The partitions the filter keeps (every one without a filter). */
  partitions(table: string, filter: string | undefined): Promise<TablePartition[]>;
}

export interface StoredObject {
  bucket: string;
  key: string;
  etag: string;
  sizeBytes: number;
}

/** The lake bucket, as queries read it. */
export interface QueryObjects {
  /**
   * The data files of each folder (`s3://bucket/prefix/`), directly in it, hidden files (`_`, `.`)
   * left out; `under` is a folder above them all, listed once instead when that is cheaper.
   */
  list(folders: readonly string[], under?: string): Promise<StoredObject[][]>;
  /** Local copies of the objects, in order (kept between queries while their ETag is the same). */
  localCopies(objects: readonly StoredObject[]): Promise<string[]>;
  /** Uploads the local result file as results/<queryId>/result.parquet and returns its key. */
  putResult(queryId: string, file: string): Promise<string>;
  /** A presigned GET of a result, for 5 minutes. */
  resultUrl(key: string): Promise<string>;
}

/** A table with the local files of the partitions a query reads. */
export interface AttachedTable {
  table: LakeTable;
  partitions: { values: string[]; files: string[] }[];
}

export interface RunResult {
  columns: Column[];
  rowCount: number;
  /** The first rows, every value as JSON. */
  rows: unknown[][];
  /** The whole result, Parquet, on local disk until `dispose`. */
  file: string;
  dispose(): Promise<void>;
}

/** The query engine (DuckDB). */
export interface SqlEngine {
  /** The parser's tree of the SQL (json_serialize_sql). */
  parse(sql: string): Promise<ParsedSql>;
  /** The SQL as DuckDB renders its parse, without comments (json_deserialize_sql). */
  canonical(sql: string): Promise<string>;
  /** Binds the SQL to the tables' columns without data: unknown columns and type errors surface here. */
  bind(sql: string, tables: readonly LakeTable[]): Promise<void>;
  /** Runs it over the attached files with no other file access, within the limits. */
  run(request: {
    sql: string;
    tables: readonly AttachedTable[];
    maxRows: number;
    timeoutMs: number;
    pageSize: number;
  }): Promise<RunResult>;
}

export interface QueryRecord {
  queryId: string;
  ownerId: string;
  status: QueryView['status'];
  /** As the caller wrote it. */
  sql: string;
  /** As it runs: DuckDB's own rendering of the parsed statement. */
  canonicalSql: string;
  submittedAt: string;
  startedAt?: string;
  finishedAt?: string;
  tables: string[];
  partitionsRead?: number;
  bytesScanned?: number;
  rowCount?: number;
  columns?: Column[];
  rows?: unknown[][];
  resultsKey?: string;
  error?: QueryError;
  /** The plan made at the start, kept for the worker when it is small enough to store with the query. */
  plan?: Plan;
}

export interface QueryStore {
  create(record: QueryRecord): Promise<void>;
  get(queryId: string): Promise<QueryRecord | undefined>;
  /** QUEUED -> RUNNING; false when the query is no longer QUEUED (a replayed message). */
  start(queryId: string, startedAt: string): Promise<boolean>;
  finish(
    queryId: string,
    outcome: Partial<QueryRecord> & Pick<QueryRecord, 'status' | 'finishedAt'>,
  ): Promise<void>;
}

export interface QueryQueue {
  send(queryId: string): Promise<void>;
}

export interface QueryLog {
  error(message: string, details: Record<string, unknown>): void;
}

/** Rows of the result returned with the query's status; the rest is in the Parquet file. */
export const FIRST_PAGE_ROWS = 100;
/** A plan up to this size is stored with the query (DynamoDB items hold 400 KB), else planned again. */
const STORED_PLAN_BYTES = 64 * 1024;
/** The first page's share of the query's item (DynamoDB items hold 400 KB). */
const FIRST_PAGE_BYTES = 256 * 1024;
/** A RUNNING query older than its time limit plus this was stopped by something else (its function crashed). */
const ABANDONED_AFTER_MS = 60_000;

/** What a query reads: its tables and, of each, the partitions kept and their objects. */
export interface Plan {
  tables: AttachedTablePlan[];
  bytesScanned: number;
  partitionsRead: number;
}

export interface AttachedTablePlan {
  table: LakeTable;
  partitions: { values: string[]; objects: StoredObject[] }[];
}

interface PlannerParts {
  engine: SqlEngine;
  catalog: TableCatalog;
  objects: Pick<QueryObjects, 'list'>;
  limits: QueryLimits;
}

/**
 * Resolves a query's tables through the Glue Data Catalog and the partitions its WHERE clause keeps
 * (GetPartitions with a filter), lists their files, and refuses it over the bytes limit. Both the
 * start (to answer at once) and the worker (the truth when it runs) plan.
 */
function createPlanner({ engine, catalog, objects, limits }: PlannerParts) {
  async function resolve(sql: string) {
    const parsed = await engine.parse(sql);
    const { tables: names, statement } = checkQuery(parsed);
    const tables: LakeTable[] = [];
    for (const name of names) {
      const table = await catalog.table(name);
      if (table === undefined) throw new ValidationError(`Table "${name}" is not in the lake's catalog`);
      tables.push(table);
    }
    return { statement, tables };
  }

  async function plan(
    statement: Parameters<typeof partitionFilter>[0],
    tables: readonly LakeTable[],
  ): Promise<Plan> {
    const planned: AttachedTablePlan[] = [];
    for (const table of tables) {
      const folders =
        table.partitionKeys.length === 0
          ? [{ values: [], location: table.location }]
          : await catalog.partitions(table.name, partitionFilter(statement, table.name, table.partitionKeys));
      const listed = await objects.list(
        folders.map((folder) => folder.location),
        table.location,
      );
      const partitions = folders.map((folder, index) => ({
        values: folder.values,
        objects: listed[index] ?? [],
      }));
      planned.push({ table, partitions });
    }
    const all = planned.flatMap(({ partitions }) => partitions.flatMap((partition) => partition.objects));
    const bytesScanned = all.reduce((sum, object) => sum + object.sizeBytes, 0);
    if (bytesScanned > limits.maxBytesScanned) {
      const keys = tables.flatMap((table) => table.partitionKeys.map((key) => `${table.name}.${key.name}`));
      throw new UnprocessableError(
        'BYTES_SCANNED_LIMIT_EXCEEDED',
        `The query would scan ${bytesScanned} bytes; the limit is ${limits.maxBytesScanned}.` +
          (keys.length > 0
            ? ` Filter on the partition keys (${keys.join(', ')}) to read fewer partitions.`
            : ''),
      );
    }
    const partitionsRead = planned.reduce((sum, { partitions }) => sum + partitions.length, 0);
    return { tables: planned, bytesScanned, partitionsRead };
  }

  return { resolve, plan };
}

function viewOf(record: QueryRecord, limits: QueryLimits, extra: Partial<QueryView> = {}): QueryView {
  const { ownerId: _owner, canonicalSql: _canonical, plan: _plan, ...visible } = record;
  return { ...visible, ...extra, limits };
}

/**
 * Asynchronous SQL over the lake, like Athena's, in three parts: the starter checks the SQL (one
 * read-only SELECT, sql-policy.ts), binds it to the tables, plans it (refused over the bytes limit)
 * and queues it; the runner (the worker) plans again, copies the partitions' files and runs DuckDB
 * within the row and time limits; the reader tells the caller where it is. Over a limit, a query
 * fails with the limit's code and writes no result.
 */
export function createQueryStarter({
  store,
  queue,
  clock,
  newId,
  ...parts
}: PlannerParts & {
  store: Pick<QueryStore, 'create'>;
  queue: QueryQueue;
  clock: () => Date;
  newId: () => string;
}) {
  const { resolve, plan } = createPlanner(parts);
  return {
    async start(ownerId: string, sql: string): Promise<QueryView> {
      const { statement, tables } = await resolve(sql);
      const canonicalSql = await parts.engine.canonical(sql);
      await parts.engine.bind(canonicalSql, tables);
      const planned = await plan(statement, tables);
      const record: QueryRecord = {
        queryId: newId(),
        ownerId,
        status: 'QUEUED',
        sql,
        canonicalSql,
        submittedAt: clock().toISOString(),
        tables: tables.map((table) => table.name),
        partitionsRead: planned.partitionsRead,
        bytesScanned: planned.bytesScanned,
        ...(Buffer.byteLength(JSON.stringify(planned)) <= STORED_PLAN_BYTES ? { plan: planned } : {}),
      };
      await store.create(record);
      await queue.send(record.queryId);
      return viewOf(record, parts.limits);
    },
  };
}

export function createQueryRunner({
  store,
  objects,
  clock,
  log,
  ...parts
}: Omit<PlannerParts, 'objects'> & {
  objects: Omit<QueryObjects, 'resultUrl'>;
  store: QueryStore;
  clock: () => Date;
  log: QueryLog;
}) {
  const { resolve, plan } = createPlanner({ ...parts, objects });

  async function execute(record: QueryRecord): Promise<Partial<QueryRecord> & Pick<QueryRecord, 'status'>> {
    // The start's plan when it kept one (what the query reads is what was there when it was asked).
    let planned = record.plan;
    if (planned === undefined) {
      const { statement, tables } = await resolve(record.canonicalSql);
      planned = await plan(statement, tables);
    }
    const attached: AttachedTable[] = [];
    for (const { table, partitions } of planned.tables) {
      const local = [];
      for (const partition of partitions)
        local.push({ values: partition.values, files: await objects.localCopies(partition.objects) });
      attached.push({ table, partitions: local });
    }
    const result = await parts.engine.run({
      sql: record.canonicalSql,
      tables: attached,
      maxRows: parts.limits.maxRows,
      timeoutMs: parts.limits.timeoutSeconds * 1000,
      pageSize: FIRST_PAGE_ROWS,
    });
    let resultsKey: string;
    try {
      resultsKey = await objects.putResult(record.queryId, result.file);
    } finally {
      await result.dispose();
    }
    return {
      status: 'SUCCEEDED',
      partitionsRead: planned.partitionsRead,
      bytesScanned: planned.bytesScanned,
      rowCount: result.rowCount,
      columns: result.columns,
      rows: firstPageWithin(result.rows, FIRST_PAGE_BYTES),
      resultsKey,
    };
  }

  return {
    /** Runs a queued query once: a replayed message finds it no longer QUEUED and does nothing. */
    async run(queryId: string): Promise<'ran' | 'skipped'> {
      const record = await store.get(queryId);
      if (record?.status !== 'QUEUED') return 'skipped';
      if (!(await store.start(queryId, clock().toISOString()))) return 'skipped';
      let outcome: Partial<QueryRecord> & Pick<QueryRecord, 'status'>;
      try {
        outcome = await execute(record);
      } catch (error) {
        outcome = { status: 'FAILED', error: queryErrorOf(error) };
        if (outcome.error?.code === 'INTERNAL') log.error('query failed', { queryId, error });
      }
      await store.finish(queryId, { ...outcome, finishedAt: clock().toISOString() });
      return 'ran';
    },
  };
}

export function createQueryReader({
  store,
  objects,
  limits,
  clock,
}: {
  store: Pick<QueryStore, 'get'>;
  objects: Pick<QueryObjects, 'resultUrl'>;
  limits: QueryLimits;
  clock: () => Date;
}) {
  return {
    async get(ownerId: string, queryId: string | undefined): Promise<QueryView> {
      const record = queryId === undefined ? undefined : await store.get(queryId);
      // Another person's query is as missing as one that never was.
      if (record === undefined || record.ownerId !== ownerId)
        throw new NotFoundError(`Query ${queryId} not found`);
      if (record.status === 'SUCCEEDED' && record.resultsKey !== undefined)
        return viewOf(record, limits, { resultsUrl: await objects.resultUrl(record.resultsKey) });
      const startedAt = record.startedAt === undefined ? undefined : Date.parse(record.startedAt);
      const abandonedAfter = limits.timeoutSeconds * 1000 + ABANDONED_AFTER_MS;
      if (
        record.status === 'RUNNING' &&
        startedAt !== undefined &&
        clock().getTime() - startedAt > abandonedAfter
      )
        return viewOf(record, limits, {
          status: 'FAILED',
          error: {
            code: 'RUN_ABANDONED',
            message: 'The query stopped without an answer (its worker was stopped); run it again',
          },
        });
      return viewOf(record, limits);
    },
  };
}

/** The first rows that fit in `maxBytes` of JSON: the page is stored with the query (400 KB items). */
export function firstPageWithin(rows: readonly unknown[][], maxBytes: number): unknown[][] {
  let bytes = 0;
  const page: unknown[][] = [];
  for (const row of rows) {
    bytes += Buffer.byteLength(JSON.stringify(row));
    if (bytes > maxBytes) break;
    page.push(row);
  }
  return page;
}

/** A caller's mistake or a limit keeps its code and message; anything else is the service's fault. */
export function queryErrorOf(error: unknown): QueryError {
  if (error instanceof AppError) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: 'The query failed in the service; it has been logged' };
}
