import { expect } from 'chai';
import { createDuckDbEngine } from '../../../src/adapters/duckdb-engine';
import { checkQuery, partitionFilter, SqlRefusedError } from '../../../src/core/sql-policy';

// The policy judges DuckDB's own parse of each query (json_serialize_sql), so these tests parse
// with the real engine: what is refused here is refused for the reason the parser gives.
const engine = createDuckDbEngine({ memoryLimitMb: 256, threads: 1 });
const KEYS = [{ name: 'decade', type: 'bigint' }];
const STRING_KEYS = [{ name: 'region', type: 'string' }];

const check = async (sql: string) => checkQuery(await engine.parse(sql));
async function refusal(sql: string): Promise<string> {
  try {
    await check(sql);
  } catch (error) {
    expect(error).to.be.instanceOf(SqlRefusedError);
    return (error as Error).message;
  }
  return expect.fail(`${sql} was allowed`);
}
const filterOf = async (sql: string, keys = KEYS) =>
  partitionFilter((await check(sql)).statement, 'ngram', keys);

describe('SQL policy', () => {
  it("allows the talk's query and names the lake tables it reads", async () => {
    const { tables } = await check(
      "SELECT gram, year, sum(match_count) FROM ngram WHERE gram = 'just say no' GROUP BY gram, year ORDER BY year",
    );

    expect(tables).to.deep.equal(['ngram']);
  });

  it('allows joins, subqueries, CTEs, windows, set operations and VALUES, naming every lake table once', async () => {
    const { tables } = await check(`
      WITH recent AS (SELECT * FROM ngram WHERE year > 2000)
      SELECT r.gram, c.page, row_number() OVER (PARTITION BY r.gram ORDER BY r.year) AS n
      FROM recent r JOIN raw_clickstream c ON c.page = r.gram
      WHERE r.gram IN (SELECT gram FROM NGRAM LIMIT 5)
      UNION ALL SELECT * FROM (VALUES ('a', 'b', 1)) v(x, y, z)`);

    expect(tables).to.deep.equal(['ngram', 'raw_clickstream']);
  });

  it('allows the generators range, generate_series and unnest', async () => {
    expect((await check('SELECT * FROM range(10), unnest([1, 2]) AS u(x)')).tables).to.deep.equal([]);
  });

  for (const [description, sql, reason] of [
    ['two statements', 'SELECT 1; SELECT 2', 'Exactly one statement'],
    ['a SELECT followed by a DROP', 'SELECT 1; DROP TABLE ngram', 'read-only SELECT'],
    ['COPY ... TO', "COPY (SELECT * FROM ngram) TO '/tmp/out.csv'", 'read-only SELECT'],
    ['ATTACH', "ATTACH '/tmp/other.duckdb' AS other", 'read-only SELECT'],
    ['INSTALL', 'INSTALL httpfs', 'read-only SELECT'],
    ['LOAD', 'LOAD httpfs', 'read-only SELECT'],
    ['PRAGMA', 'PRAGMA database_list', 'read-only SELECT'],
    ['SET', 'SET enable_external_access = true', 'read-only SELECT'],
    ['CREATE', 'CREATE TABLE t AS SELECT 1', 'read-only SELECT'],
    ['a comment hiding a second statement', 'SELECT 1 -- harmless\n; DELETE FROM ngram', 'read-only SELECT'],
    ['a block comment before a second statement', 'SELECT 1 /* x */; SELECT 2', 'Exactly one statement'],
    ["read_csv('/etc/passwd')", "SELECT * FROM read_csv('/etc/passwd')", 'read_csv() is not allowed'],
    [
      "read_parquet('http://...')",
      "SELECT * FROM read_parquet('http://example.com/x.parquet')",
      'read_parquet() is not allowed',
    ],
    [
      'read_text in a subquery',
      "SELECT (SELECT content FROM read_text('/etc/hostname'))",
      'read_text() is not allowed',
    ],
    ['query() running SQL from a string', "SELECT * FROM query('SELECT 1')", 'query() is not allowed'],
    ['a catalog function', 'SELECT * FROM duckdb_settings()', 'duckdb_settings() is not allowed'],
    ['a schema-qualified table', 'SELECT * FROM information_schema.tables', 'without a catalog or schema'],
    ['a setting read', "SELECT current_setting('temp_directory')", 'current_setting is not allowed'],
    ['DESCRIBE', 'DESCRIBE ngram', 'SHOW_REF is not allowed'],
    ['SHOW TABLES', 'SHOW TABLES', 'SHOW_REF is not allowed'],
    ['a syntax error', 'SELEC 1', 'does not parse'],
  ] as const) {
    it(`refuses ${description}`, async () => {
      expect(await refusal(sql)).to.contain(reason);
    });
  }

  it('names a quoted file path as a table, which is then not found in the lake', async () => {
    expect((await check("SELECT * FROM '/etc/passwd'")).tables).to.deep.equal(['/etc/passwd']);
  });

  describe('partition filter', () => {
    for (const [sql, expected] of [
      ['SELECT * FROM ngram WHERE decade = 1990', 'decade = 1990'],
      ["SELECT * FROM ngram n WHERE n.decade >= 1990 AND gram = 'x'", 'decade >= 1990'],
      ['SELECT * FROM ngram WHERE 1990 < decade', 'decade > 1990'],
      ["SELECT * FROM ngram WHERE decade = '1990'", 'decade = 1990'],
      ['SELECT * FROM ngram WHERE decade IN (1980, 1990)', 'decade IN (1980, 1990)'],
      ['SELECT * FROM ngram WHERE decade BETWEEN 1950 AND 1970', 'decade BETWEEN 1950 AND 1970'],
      ['SELECT * FROM ngram WHERE decade = 1980 OR decade = 2000', '(decade = 1980 OR decade = 2000)'],
      // DuckDB's parser turns NOT (a = b) into a <> b.
      ['SELECT * FROM ngram WHERE NOT decade = 1990', 'decade <> 1990'],
      ['WITH d AS (SELECT * FROM ngram WHERE decade = 1990) SELECT * FROM d', 'decade = 1990'],
    ] as const) {
      it(`keeps ${expected} for ${sql}`, async () => {
        expect(await filterOf(sql)).to.equal(expected);
      });
    }

    for (const [description, sql] of [
      ['no WHERE clause', 'SELECT * FROM ngram'],
      [
        'a condition mixing a key and a column in an OR',
        'SELECT * FROM ngram WHERE decade = 1990 OR year = 5',
      ],
      ['a null test', 'SELECT * FROM ngram WHERE decade IS NULL'],
      ['NOT IN', 'SELECT * FROM ngram WHERE decade NOT IN (1990)'],
      ['a computed key', 'SELECT * FROM ngram WHERE decade + 10 = 2000'],
      [
        'another table’s column of the same name',
        'SELECT * FROM ngram n JOIN other o ON true WHERE o.decade = 1990',
      ],
      ['a self-join filtered on one side only', 'SELECT * FROM ngram a, ngram b WHERE a.decade = 1990'],
    ] as const) {
      it(`reads every partition for ${description}`, async () => {
        expect(await filterOf(sql)).to.equal(undefined);
      });
    }

    it('ORs the filters of each reference to the table', async () => {
      expect(
        await filterOf('SELECT * FROM ngram a, ngram b WHERE a.decade = 1990 AND b.decade = 2000'),
      ).to.equal('(decade = 1990) OR (decade = 2000)');
    });

    it('quotes a string key’s value, and does not compare a string key with a number', async () => {
      expect(await filterOf("SELECT * FROM ngram WHERE region = 'eu'", STRING_KEYS)).to.equal(
        "region = 'eu'",
      );
      expect(await filterOf('SELECT * FROM ngram WHERE region = 5', STRING_KEYS)).to.equal(undefined);
      expect(await filterOf("SELECT * FROM ngram WHERE region = 'it''s'", STRING_KEYS)).to.equal(undefined);
    });
  });
});
