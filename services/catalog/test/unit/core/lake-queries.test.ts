import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { QueryLimits } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import { createDuckDbEngine } from '../../../src/adapters/duckdb-engine';
import {
  createQueryReader,
  createQueryRunner,
  createQueryStarter,
  firstPageWithin,
  type LakeTable,
  type QueryObjects,
  type QueryRecord,
  type QueryStore,
  type StoredObject,
  type TableCatalog,
} from '../../../src/core/lake-queries';

// The query service with the real engine (DuckDB) over real Parquet files; the catalog, the bucket
// and the store are in memory.

const NGRAM: LakeTable = {
  name: 'ngram',
  location: 's3://lake/curated/ngram/',
  format: 'parquet',
  columns: [
    { name: 'gram', type: 'string' },
    { name: 'year', type: 'bigint' },
    { name: 'match_count', type: 'bigint' },
  ],
  partitionKeys: [{ name: 'decade', type: 'bigint' }],
};
const DECADES = [1970, 1980, 1990];
const LIMITS: QueryLimits = { maxBytesScanned: 10_000_000, maxRows: 1000, timeoutSeconds: 2 };
const now = new Date('2026-12-01T10:00:00.000Z');

class Lake implements TableCatalog, QueryObjects {
  readonly files = new Map<string, { path: string; sizeBytes: number }>();
  readonly filters: (string | undefined)[] = [];
  readonly results = new Map<string, string>();

  async table(name: string) {
    return name === 'ngram' ? NGRAM : undefined;
  }
  async partitions(_table: string, filter: string | undefined) {
    this.filters.push(filter);
    const keep = filter === undefined ? DECADES : DECADES.filter((decade) => filter === `decade = ${decade}`);
    return keep.map((decade) => ({
      values: [String(decade)],
      location: `s3://lake/curated/ngram/decade=${decade}/`,
    }));
  }
  async list(folders: readonly string[]) {
    return folders.map((folder) =>
      [...this.files]
        .filter(([key]) => `s3://lake/${key}`.startsWith(folder))
        .map(([key, { sizeBytes }]): StoredObject => ({ bucket: 'lake', key, etag: key, sizeBytes })),
    );
  }
  async localCopies(objects: readonly StoredObject[]) {
    return objects.map((object) => this.files.get(object.key)?.path ?? '');
  }
  async putResult(queryId: string, file: string) {
    this.results.set(queryId, file);
    return `results/${queryId}/result.parquet`;
  }
  async resultUrl(key: string) {
    return `https://lake.example/${key}`;
  }
}

class Store implements QueryStore {
  readonly records = new Map<string, QueryRecord>();
  async create(record: QueryRecord) {
    this.records.set(record.queryId, structuredClone(record));
  }
  async get(queryId: string) {
    return structuredClone(this.records.get(queryId));
  }
  async start(queryId: string, startedAt: string) {
    const record = this.records.get(queryId);
    if (record?.status !== 'QUEUED') return false;
    Object.assign(record, { status: 'RUNNING', startedAt });
    return true;
  }
  async finish(queryId: string, outcome: Partial<QueryRecord>) {
    Object.assign(this.records.get(queryId) ?? {}, outcome);
  }
}

describe('lake queries', function () {
  this.timeout(30_000);
  let directory: string;
  const lake = new Lake();
  const engine = createDuckDbEngine({ memoryLimitMb: 256, threads: 1 });

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'lake-queries-test-'));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    for (const decade of DECADES) {
      const path = join(directory, `${decade}.parquet`);
      await connection.run(`COPY (
        SELECT CASE WHEN i = 0 THEN 'just say no' ELSE 'gram ' || i END AS gram, ${decade} + (i % 10) AS year, (i + 1) * 10 AS match_count
        FROM range(50) t(i)) TO '${path}' (FORMAT parquet)`);
      const { size } = await import('node:fs/promises').then((fs) => fs.stat(path));
      lake.files.set(`curated/ngram/decade=${decade}/part-0.parquet`, { path, sizeBytes: size });
    }
    connection.closeSync();
    instance.closeSync();
  });

  after(() => rm(directory, { recursive: true, force: true }));

  function service(limits = LIMITS) {
    const store = new Store();
    const queued: string[] = [];
    let ids = 0;
    const parts = { engine, catalog: lake, limits, clock: () => now };
    return {
      store,
      queued,
      starter: createQueryStarter({
        ...parts,
        objects: lake,
        store,
        queue: { send: async (id) => void queued.push(id) },
        newId: () => {
          ids += 1;
          return `q-${ids}`;
        },
      }),
      runner: createQueryRunner({ ...parts, objects: lake, store, log: { error: () => undefined } }),
      reader: createQueryReader({ store, objects: lake, limits, clock: () => now }),
    };
  }

  it("queues the talk's query and answers it: rows, columns, bytes scanned, results in results/", async () => {
    const { starter, runner, reader, queued } = service();

    const started = await starter.start(
      'person-1',
      "SELECT gram, year, sum(match_count) AS matches FROM ngram WHERE gram = 'just say no' GROUP BY gram, year ORDER BY year",
    );
    await runner.run(queued[0] ?? '');
    const answer = await reader.get('person-1', started.queryId);

    expect(started).to.include({ status: 'QUEUED', partitionsRead: 3 });
    expect(answer).to.deep.include({
      status: 'SUCCEEDED',
      rowCount: 3,
      rows: [
        ['just say no', '1970', '10'],
        ['just say no', '1980', '10'],
        ['just say no', '1990', '10'],
      ],
      columns: [
        { name: 'gram', type: 'string' },
        { name: 'year', type: 'bigint' },
        { name: 'matches', type: 'decimal(38,0)' },
      ],
      resultsKey: 'results/q-1/result.parquet',
      resultsUrl: 'https://lake.example/results/q-1/result.parquet',
      limits: LIMITS,
    });
    const total = [...lake.files.values()].reduce((sum, file) => sum + file.sizeBytes, 0);
    expect(answer.bytesScanned).to.equal(total);
  });

  it('reads only the partitions the WHERE clause keeps, and reports their bytes', async () => {
    const { starter, runner, reader, queued } = service();

    const { queryId } = await starter.start(
      'person-1',
      'SELECT count(*), min(decade) FROM ngram WHERE decade = 1980',
    );
    await runner.run(queued[0] ?? '');
    const answer = await reader.get('person-1', queryId);

    expect(lake.filters.at(-1)).to.equal('decade = 1980');
    expect(answer).to.deep.include({ partitionsRead: 1, rows: [['50', '1980']] });
    expect(answer.bytesScanned).to.equal(
      lake.files.get('curated/ngram/decade=1980/part-0.parquet')?.sizeBytes,
    );
  });

  it('refuses a query over the bytes limit before queueing it, with the partition keys to filter on', async () => {
    const { starter, queued } = service({ ...LIMITS, maxBytesScanned: 100 });

    const attempt = starter.start('person-1', 'SELECT * FROM ngram');

    await attempt.then(
      () => expect.fail('the query was queued'),
      (error: { code: string; message: string }) => {
        expect(error.code).to.equal('BYTES_SCANNED_LIMIT_EXCEEDED');
        expect(error.message).to.contain('ngram.decade');
      },
    );
    expect(queued).to.deep.equal([]);
  });

  it('refuses a query whose columns do not fit the table, or a table not in the lake', async () => {
    const { starter } = service();

    for (const [sql, message] of [
      ['SELECT nope FROM ngram', 'does not fit'],
      ["SELECT * FROM '/etc/passwd'", 'not in the lake'],
      ['SELECT * FROM secrets', 'not in the lake'],
    ]) {
      await starter.start('person-1', sql as string).then(
        () => expect.fail(`${sql} was queued`),
        (error: Error) => expect(error.message, sql).to.contain(message),
      );
    }
  });

  for (const [limit, sql, code, limits] of [
    ['rows', 'SELECT * FROM ngram', 'ROW_LIMIT_EXCEEDED', { ...LIMITS, maxRows: 10 }],
    [
      'run time',
      'SELECT count(*) FROM ngram a, ngram b, ngram c, ngram d, ngram e',
      'TIME_LIMIT_EXCEEDED',
      { ...LIMITS, timeoutSeconds: 1 },
    ],
  ] as const) {
    it(`fails a query over the ${limit} limit with ${code} and writes no result`, async () => {
      const { starter, runner, reader, queued } = service(limits);
      lake.results.clear();

      const { queryId } = await starter.start('person-1', sql);
      await runner.run(queued[0] ?? '');
      const answer = await reader.get('person-1', queryId);

      expect(answer.status).to.equal('FAILED');
      expect(answer.error?.code).to.equal(code);
      expect(answer.rows).to.equal(undefined);
      expect(lake.results.size).to.equal(0);
    });
  }

  it('runs a queued query once: a replayed message finds it no longer queued', async () => {
    const { starter, runner, queued } = service();
    await starter.start('person-1', 'SELECT 1');

    const outcomes = [await runner.run(queued[0] ?? ''), await runner.run(queued[0] ?? '')];

    expect(outcomes).to.deep.equal(['ran', 'skipped']);
  });

  it("answers another person's query as not found", async () => {
    const { starter, reader } = service();
    const { queryId } = await starter.start('person-1', 'SELECT 1');

    await reader.get('person-2', queryId).then(
      () => expect.fail('another person read the query'),
      (error: Error) => expect(error.name).to.equal('NotFoundError'),
    );
  });

  it('reads a query whose worker stopped long ago as failed', async () => {
    const { store, reader } = service();
    await store.create({
      queryId: 'q-9',
      ownerId: 'person-1',
      status: 'RUNNING',
      sql: 'SELECT 1',
      canonicalSql: 'SELECT 1',
      submittedAt: '2026-12-01T09:00:00.000Z',
      startedAt: '2026-12-01T09:00:01.000Z',
      tables: [],
    });

    const answer = await reader.get('person-1', 'q-9');

    expect(answer).to.deep.include({ status: 'FAILED' });
    expect(answer.error?.code).to.equal('RUN_ABANDONED');
  });

  it('keeps the first page within its share of the item', () => {
    const rows = Array.from({ length: 100 }, (_, index) => [index, 'x'.repeat(1000)]);

    expect(firstPageWithin(rows, 10_000)).to.have.length(9);
  });

  it('runs the SQL as DuckDB renders it, comments gone, and shows the caller what they wrote', async () => {
    const { starter, store } = service();

    const view = await starter.start('person-1', 'SELECT 1 /* a comment */');

    expect(view.sql).to.equal('SELECT 1 /* a comment */');
    expect((await store.get(view.queryId))?.canonicalSql).to.equal('SELECT 1');
    expect(view).not.to.have.property('canonicalSql');
    expect(view).not.to.have.property('plan');
  });
});
