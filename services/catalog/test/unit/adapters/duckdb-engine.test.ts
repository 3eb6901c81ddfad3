import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';
import { createDuckDbEngine, duckDbTypeOf } from '../../../src/adapters/duckdb-engine';
import type { LakeTable } from '../../../src/core/lake-queries';

const CLICKS: LakeTable = {
  name: 'raw_clickstream',
  location: 's3://lake/raw/clickstream/',
  format: 'jsonl',
  columns: [{ name: 'page', type: 'string' }],
  partitionKeys: [{ name: 'year', type: 'bigint' }],
};

describe('DuckDB engine adapter', function () {
  this.timeout(30_000);
  let directory: string;
  let parquet: Buffer;
  const engine = () => createDuckDbEngine({ memoryLimitMb: 256, threads: 1, workDir: directory });

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'duckdb-engine-test-'));
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const file = join(directory, 'source.parquet');
    await connection.run(
      `COPY (SELECT 'user' || i || '@example.com' AS email, i AS n FROM range(100000) t(i)) TO '${file}' (FORMAT parquet)`,
    );
    connection.closeSync();
    instance.closeSync();
    parquet = await readFile(file);
  });

  after(() => rm(directory, { recursive: true, force: true }));

  describe('describe', () => {
    it('infers a JSON lines sample’s columns, nested ones included', async () => {
      const { columns } = await engine().describe({
        format: 'jsonl',
        text: '{"a":1,"b":{"c":[1,2]}}\n{"a":2,"d":true}\n',
      });

      expect(columns).to.deep.equal([
        { name: 'a', type: 'BIGINT' },
        { name: 'b', type: 'STRUCT(c BIGINT[])' },
        { name: 'd', type: 'BOOLEAN' },
      ]);
    });

    it('infers a CSV sample’s columns from its header', async () => {
      const { columns } = await engine().describe({
        format: 'csv',
        text: 'id,name,price\n1,lamp,9.5\n2,desk,120\n',
      });

      expect(columns).to.deep.equal([
        { name: 'id', type: 'BIGINT' },
        { name: 'name', type: 'VARCHAR' },
        { name: 'price', type: 'DOUBLE' },
      ]);
    });

    it('reads a whole small Parquet file: its columns and rows to classify', async () => {
      const described = await engine().describe({
        format: 'parquet',
        bytes: parquet,
        sizeBytes: parquet.length,
        whole: true,
      });

      expect(described.columns).to.deep.equal([
        { name: 'email', type: 'VARCHAR' },
        { name: 'n', type: 'BIGINT' },
      ]);
      expect(described.rowsAsText?.split('\n')[0]).to.equal('{"email":"user0@example.com","n":"0"}');
    });

    it("reads a large Parquet file's columns from its footer alone (no rows)", async () => {
      const footer = parquet.subarray(parquet.length - 4096);

      const described = await engine().describe({
        format: 'parquet',
        bytes: footer,
        sizeBytes: parquet.length,
        whole: false,
      });

      expect(described.columns.map((column) => column.name)).to.deep.equal(['email', 'n']);
      expect(described).not.to.have.property('rowsAsText');
    });

    it('leaves no file behind', async () => {
      await engine().describe({ format: 'jsonl', text: '{"a":1}\n' });

      const { readdir } = await import('node:fs/promises');
      expect((await readdir(directory)).filter((name) => name.startsWith('lake-sample-'))).to.deep.equal([]);
    });
  });

  describe('run', () => {
    async function clicksFile(name: string, lines: object[], gzip = false): Promise<string> {
      const path = join(directory, name);
      const text = lines.map((line) => JSON.stringify(line)).join('\n');
      await writeFile(path, gzip ? gzipSync(text) : text);
      return path;
    }

    it('reads partitions as the table: values as typed columns, files of one partition together, new columns by name', async () => {
      const older = await clicksFile('a.gz', [{ page: '/a', year: 1999 }], true);
      const newer = await clicksFile('b', [{ page: '/b', referrer: 'https://example.com' }]);

      const result = await engine().run({
        sql: 'SELECT page, referrer, year FROM raw_clickstream ORDER BY page',
        tables: [
          {
            table: CLICKS,
            partitions: [
              { values: ['2025'], files: [older] },
              { values: ['2026'], files: [newer] },
            ],
          },
        ],
        maxRows: 10,
        timeoutMs: 5000,
        pageSize: 10,
      });
      await result.dispose();

      expect(result.rows).to.deep.equal([
        ['/a', null, '2025'],
        ['/b', 'https://example.com', '2026'],
      ]);
      expect(result.columns).to.deep.equal([
        { name: 'page', type: 'string' },
        { name: 'referrer', type: 'string' },
        { name: 'year', type: 'bigint' },
      ]);
    });

    it('gives a table with no partition kept its columns and no rows', async () => {
      const result = await engine().run({
        sql: 'SELECT count(*), max(page) FROM raw_clickstream',
        tables: [{ table: CLICKS, partitions: [] }],
        maxRows: 10,
        timeoutMs: 5000,
        pageSize: 10,
      });
      await result.dispose();

      expect(result.rows).to.deep.equal([['0', null]]);
    });

    for (const sql of [
      "SELECT * FROM read_csv('/etc/passwd')",
      "SELECT * FROM '/etc/hostname'",
      "SELECT * FROM read_text('/etc/hostname')",
    ]) {
      it(`cannot read a file outside the query's own even when the policy is bypassed: ${sql}`, async () => {
        const attempt = engine().run({ sql, tables: [], maxRows: 10, timeoutMs: 5000, pageSize: 10 });

        await attempt.then(
          () => expect.fail('the file was read'),
          (error: { code: string; message: string }) => {
            expect(error.code).to.equal('QUERY_FAILED');
            expect(error.message).to.match(/Permission Error|disabled by configuration|does not exist/);
          },
        );
      });
    }

    it('runs every query with external access off and the configuration locked', async () => {
      const result = await engine().run({
        sql: "SELECT current_setting('enable_external_access'), current_setting('lock_configuration')",
        tables: [],
        maxRows: 10,
        timeoutMs: 5000,
        pageSize: 10,
      });
      await result.dispose();

      expect(result.rows).to.deep.equal([[false, true]]);
    });
  });

  it('binds a query to a table’s columns without data, refusing unknown columns', async () => {
    await engine().bind('SELECT page, year FROM raw_clickstream WHERE year = 2026', [CLICKS]);

    await engine()
      .bind('SELECT nope FROM raw_clickstream', [CLICKS])
      .then(
        () => expect.fail('an unknown column was bound'),
        (error: Error) => expect(error.message).to.contain('nope'),
      );
  });

  for (const [hive, duckdb] of [
    ['string', 'VARCHAR'],
    ['bigint', 'BIGINT'],
    ['decimal(18,3)', 'DECIMAL(18, 3)'],
    ['array<string>', 'VARCHAR[]'],
    ['map<string,int>', 'MAP(VARCHAR, INTEGER)'],
    ['struct<a:int,b:array<string>>', 'STRUCT("a" INTEGER, "b" VARCHAR[])'],
    ['varchar(20)', 'VARCHAR'],
  ] as const) {
    it(`reads Glue's ${hive} as DuckDB's ${duckdb}`, () => {
      expect(duckDbTypeOf(hive)).to.equal(duckdb);
    });
  }
});
