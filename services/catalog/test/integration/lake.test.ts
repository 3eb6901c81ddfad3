import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { GetPartitionsCommand, GetTableCommand, GlueClient, type Table } from '@aws-sdk/client-glue';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DeleteObjectCommand, GetObjectTaggingCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  clientConfig,
  eventually,
  localCloudSuite,
  type Person,
  people,
  serviceOf,
} from '@serverless-patterns/local/testing';
import type { CatalogSearchResponse, QueryView } from '@serverless-patterns/shared/schemas/api';
import { s3PutEvent } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { decadesOf, ngramKey, TALK_QUERY, writeNgramFiles } from '../../scripts/ngrams';

// The data lake as its users meet it, on the local cloud: objects put into the lake bucket with the
// SDK (as any service writes them) reach the catalog table, moto's Glue and the search index through
// the S3 notification and the table's stream; SQL goes through the API's front door to DuckDB.

const NGRAMS = { grams: 300, firstDecade: 1970, lastDecade: 1990 };
/** Registration goes through S3 notifications, a Lambda, DynamoDB Streams and another Lambda. */
const WITHIN_SECONDS = 30_000;

interface Answer<T> {
  status: number;
  body: T;
}

describe('data lake, end to end on the local cloud', function () {
  this.timeout(240_000);
  const suite = localCloudSuite();
  let person: Person;
  let glue: GlueClient;
  let table: DynamoDBDocumentClient;
  let bucket: string;
  let catalogTable: string;
  let database: string;
  let workDir: string;

  before(async () => {
    const { description } = suite.cloud;
    const catalog = serviceOf(description, 'catalog');
    bucket = catalog.resource('LakeBucket');
    catalogTable = catalog.resource('CatalogTable');
    database = catalog.output('LakeDatabaseName');
    glue = new GlueClient(clientConfig(description, description.endpoints.glue as string));
    table = DynamoDBDocumentClient.from(suite.aws.dynamodb);
    const signUps = people(description);
    person = await signUps.create();
    signUps.destroy();
    workDir = await mkdtemp(join(tmpdir(), 'lake-e2e-'));
  });

  after(async () => {
    glue?.destroy();
    await rm(workDir, { recursive: true, force: true });
  });

  const put = (key: string, body: string | Uint8Array) =>
    suite.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const entryOf = async (dataset: string, key: string) =>
    (await table.send(new GetCommand({ TableName: catalogTable, Key: { pk: dataset, sk: key } }))).Item;
  const tableOf = (name: string): Promise<Table | undefined> =>
    glue.send(new GetTableCommand({ DatabaseName: database, Name: name })).then(
      ({ Table }) => Table,
      () => undefined,
    );
  const partitionsOf = async (name: string) =>
    (
      (await glue.send(new GetPartitionsCommand({ DatabaseName: database, TableName: name }))).Partitions ??
      []
    )
      .map((partition) => partition.Values?.join('/'))
      .sort();

  async function api<T>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    const response = await fetch(`${suite.cloud.description.portalUrl}/catalog${path}`, {
      method,
      headers: { authorization: `Bearer ${person.idToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }
  const search = async (query: string) => (await api<CatalogSearchResponse>('GET', `/search?${query}`)).body;

  /** POST the SQL, then GET the query until it is done; the last answer. */
  async function query(
    sql: string,
    timeoutMs = 60_000,
  ): Promise<Answer<{ query: QueryView; error?: { code: string } }>> {
    const started = await api<{ query: QueryView; error?: { code: string } }>('POST', '/queries', { sql });
    if (started.status !== 202) return started;
    return eventually(
      () =>
        api<{ query: QueryView; error?: { code: string } }>('GET', `/queries/${started.body.query.queryId}`),
      ({ body }) => body.query.status === 'SUCCEEDED' || body.query.status === 'FAILED',
      timeoutMs,
    );
  }

  describe('every object lands in the catalog, in Glue and in search within seconds', () => {
    const KEY = 'raw/signups/year=2026/signups-1.jsonl';

    before(async () => {
      await put(
        KEY,
        '{"userId":"u-1","email":"jane@example.com","ip":"203.0.113.7"}\n{"userId":"u-2","email":"bob@example.org","ip":"198.51.100.4"}\n',
      );
    });

    it('catalogues the object with its format, schema and personal data, and tags it', async () => {
      const entry = await eventually(
        () => entryOf('raw/signups', KEY),
        (item) => item !== undefined,
        WITHIN_SECONDS,
      );

      expect(entry).to.deep.include({
        format: 'jsonl',
        table: 'raw_signups',
        partitions: { year: '2026' },
        sensitive: ['email', 'ip-address'],
        schema: [
          { name: 'userId', type: 'string' },
          { name: 'email', type: 'string' },
          { name: 'ip', type: 'string' },
        ],
      });
      // The tag is the registration's last step, after the catalog entry and Glue.
      const tags = await eventually(
        async () =>
          (await suite.aws.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: KEY }))).TagSet ?? [],
        (found) => found.length > 0,
        WITHIN_SECONDS,
      );
      expect(tags).to.deep.include({ Key: 'lake:sensitive-data', Value: 'email+ip-address' });
    });

    it('keeps its table and partition in Glue', async () => {
      const glueTable = await eventually(
        () => tableOf('raw_signups'),
        (found) => found !== undefined,
        WITHIN_SECONDS,
      );

      expect(glueTable?.StorageDescriptor?.Location).to.equal(`s3://${bucket}/raw/signups/`);
      expect(glueTable?.PartitionKeys).to.deep.equal([{ Name: 'year', Type: 'bigint' }]);
      expect(
        await eventually(
          () => partitionsOf('raw_signups'),
          (values) => values.length > 0,
          WITHIN_SECONDS,
        ),
      ).to.deep.equal(['2026']);
    });

    it('finds it in search, by text and by its kind of personal data, with facets', async () => {
      const found = await eventually(
        () => search('q=signups&sensitive=email'),
        ({ total }) => total > 0,
        WITHIN_SECONDS,
      );

      expect(found.matches.map((match) => match.key)).to.deep.equal([KEY]);
      expect(found.facets.sensitive).to.deep.include({ email: 1, 'ip-address': 1 });
    });

    it('reads the format from the content: gzip JSON lines without an extension, as Firehose writes them', async () => {
      const key = 'raw/firehose/year=2026/month=12/delivery-1-2026-12-01-10-00-00-abcd';
      await put(key, gzipSync('{"click":"/a","at":"2026-12-01T10:00:00Z"}\n'));

      const entry = await eventually(
        () => entryOf('raw/firehose', key),
        (item) => item !== undefined,
        WITHIN_SECONDS,
      );

      expect(entry).to.deep.include({ format: 'jsonl', compression: 'gzip', sensitive: [] });
    });

    it('widens the table when a new column arrives, keeping the others', async () => {
      await eventually(
        () => tableOf('raw_signups'),
        (found) => found !== undefined,
        WITHIN_SECONDS,
      );
      await put(
        'raw/signups/year=2027/signups-2.jsonl',
        '{"userId":"u-3","referrer":"https://example.com/"}\n',
      );

      const widened = await eventually(
        () => tableOf('raw_signups'),
        (found) => (found?.StorageDescriptor?.Columns ?? []).some((column) => column.Name === 'referrer'),
        WITHIN_SECONDS,
      );

      expect(widened?.StorageDescriptor?.Columns?.map((column) => column.Name)).to.deep.equal([
        'userid',
        'email',
        'ip',
        'referrer',
      ]);
      expect(
        await eventually(
          () => partitionsOf('raw_signups'),
          (values) => values.includes('2027'),
          WITHIN_SECONDS,
        ),
      ).to.deep.equal(['2026', '2027']);
    });

    it('removes a deleted object from the catalog and search, and its emptied partition from Glue', async () => {
      const key = 'raw/signups/year=2025/old.jsonl';
      await put(key, '{"userId":"u-0"}\n');
      await eventually(
        () => partitionsOf('raw_signups'),
        (values) => values.includes('2025'),
        WITHIN_SECONDS,
      );
      await eventually(
        () => search('q=old'),
        ({ total }) => total === 1,
        WITHIN_SECONDS,
      );

      await suite.aws.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));

      expect(
        await eventually(
          () => entryOf('raw/signups', key),
          (item) => item?.removed === true,
          WITHIN_SECONDS,
        ),
      ).to.include({ removed: true });
      expect(
        await eventually(
          () => partitionsOf('raw_signups'),
          (values) => !values.includes('2025'),
          WITHIN_SECONDS,
        ),
      ).not.to.include('2025');
      expect(
        (
          await eventually(
            () => search('q=old'),
            ({ total }) => total === 0,
            WITHIN_SECONDS,
          )
        ).total,
      ).to.equal(0);
    });

    it('changes nothing in the catalog, in Glue or in the index when S3 delivers the event again', async () => {
      const entry = await eventually(
        () => entryOf('raw/signups', KEY),
        (item) => item !== undefined,
        WITHIN_SECONDS,
      );
      const glueBefore = await tableOf('raw_signups');
      const pointer = () =>
        table.send(new GetCommand({ TableName: catalogTable, Key: { pk: '#search-index', sk: '#current' } }));
      const indexBefore = (await pointer()).Item?.version;
      const replay = s3PutEvent({
        bucket,
        key: KEY,
        size: entry?.sizeBytes,
        eTag: entry?.etag,
        sequencer: entry?.sequencer,
      });

      const { FunctionError } = await suite.aws.lambda('catalog').send(
        new InvokeCommand({
          FunctionName: serviceOf(suite.cloud.description, 'catalog').functionName('registerObject'),
          Payload: JSON.stringify(replay),
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 2000));

      expect(FunctionError).to.equal(undefined);
      expect(await entryOf('raw/signups', KEY)).to.deep.equal(entry);
      expect((await tableOf('raw_signups'))?.VersionId).to.equal(glueBefore?.VersionId);
      expect((await pointer()).Item?.version).to.equal(indexBefore);
    });

    it('catalogues keys with spaces and non-ASCII characters, in the catalog and in Glue', async () => {
      const odd = 'raw/données clients/year=2026/fichier été 1.jsonl';
      await put(odd, '{"nom":"Zoé"}\n');

      const entry = await eventually(
        () => entryOf('raw/données clients', odd),
        (item) => item !== undefined,
        WITHIN_SECONDS,
      );

      expect(entry).to.deep.include({ table: 'raw_donn_es_clients', dataset: 'données clients' });
      // Glue follows the catalog entry.
      const partitions = await eventually(
        () =>
          glue
            .send(new GetPartitionsCommand({ DatabaseName: database, TableName: 'raw_donn_es_clients' }))
            .then(
              ({ Partitions }) => Partitions ?? [],
              () => [],
            ),
        (found) => found.length > 0,
        WITHIN_SECONDS,
      );
      expect(partitions[0]?.StorageDescriptor?.Location).to.equal(
        `s3://${bucket}/raw/données clients/year=2026/`,
      );
    });

    it('ignores a key with a ".." segment: no catalog entry, no Glue table, no failure', async () => {
      // S3 keeps such a key as written and notifies it so; s3rver would resolve the "..", so the
      // event is delivered as S3 sends it (URL-encoded), to the deployed function's Lambda API.
      const key = 'raw/signups/../secrets/x.jsonl';
      const event = s3PutEvent({ bucket, key, size: 8, sequencer: '0A1B2C3D4E5F678901' });

      const { FunctionError, StatusCode } = await suite.aws.lambda('catalog').send(
        new InvokeCommand({
          FunctionName: serviceOf(suite.cloud.description, 'catalog').functionName('registerObject'),
          Payload: JSON.stringify(event),
        }),
      );

      expect(StatusCode).to.equal(200);
      expect(FunctionError).to.equal(undefined);
      expect(await entryOf('raw/signups', key)).to.equal(undefined);
      expect(await entryOf('raw/secrets', key)).to.equal(undefined);
      expect(await entryOf('raw/secrets', 'raw/secrets/x.jsonl')).to.equal(undefined);
      expect(await tableOf('raw_secrets')).to.equal(undefined);
    });
  });

  describe("the talk's query over a seeded n-gram dataset", () => {
    const sizes = new Map<number, number>();

    before(async () => {
      const files = await writeNgramFiles(workDir, NGRAMS);
      for (const [decade, file] of files) {
        const body = await readFile(file);
        sizes.set(decade, body.length);
        await put(ngramKey(decade), body);
      }
      await eventually(
        () => partitionsOf('ngram').catch(() => []),
        (values) => values.length === files.size,
        WITHIN_SECONDS,
      );
    });

    it('runs through the API: "just say no" by year, from every partition', async () => {
      const { status, body } = await query(TALK_QUERY);

      expect(status).to.equal(200);
      expect(body.query).to.include({
        status: 'SUCCEEDED',
        rowCount: 30,
        partitionsRead: decadesOf(NGRAMS).length,
      });
      expect(body.query.rows?.[0]).to.deep.equal(['just say no', '1970', '55']);
      const peak = body.query.rows?.find((row) => row[1] === '1986');
      expect(peak?.[2]).to.equal('9040');
      expect(body.query.resultsKey).to.equal(`results/${body.query.queryId}/result.parquet`);
      const download = await fetch(body.query.resultsUrl as string);
      expect(download.status).to.equal(200);
      expect(
        Buffer.from(await download.arrayBuffer())
          .subarray(0, 4)
          .toString(),
      ).to.equal('PAR1');
    });

    it('reads only the partition its WHERE clause keeps, and reports its bytes', async () => {
      const { body } = await query('SELECT count(*) FROM ngram WHERE decade = 1980');

      expect(body.query).to.include({
        status: 'SUCCEEDED',
        partitionsRead: 1,
        bytesScanned: sizes.get(1980),
      });
      expect(body.query.rows).to.deep.equal([[String(NGRAMS.grams * 10 + 10)]]);
    });
  });

  describe('SQL it refuses or bounds, never with a 5xx', () => {
    for (const [description, sql] of [
      ['two statements', 'SELECT 1; SELECT 2'],
      ['COPY ... TO', "COPY (SELECT * FROM ngram) TO '/tmp/stolen.csv'"],
      ['ATTACH', "ATTACH '/tmp/other.duckdb'"],
      ["read_csv('/etc/passwd')", "SELECT * FROM read_csv('/etc/passwd')"],
      ["read_parquet('http://...')", "SELECT * FROM read_parquet('http://169.254.169.254/latest/meta-data')"],
      ['INSTALL', 'INSTALL httpfs'],
      ['LOAD', 'LOAD httpfs'],
      ['PRAGMA', 'PRAGMA database_list'],
      ['a comment hiding a second statement', 'SELECT 1 -- just one\n; DROP TABLE ngram'],
      ['a file read as a table', "SELECT * FROM '/etc/passwd'"],
    ] as const) {
      it(`refuses ${description} with a 400`, async () => {
        const { status, body } = await api<{ error: { code: string } }>('POST', '/queries', { sql });

        expect(status).to.equal(400);
        expect(body.error.code).to.equal('VALIDATION_FAILED');
      });
    }

    it('refuses a 1 MB query with a 413', async () => {
      const { status } = await api('POST', '/queries', { sql: `SELECT '${'x'.repeat(1024 * 1024)}'` });

      expect(status).to.equal(413);
    });

    it('stops a cartesian join that would run for hours at the time limit: 422, no result', async () => {
      const { status, body } = await query(
        'SELECT count(*) FROM ngram a, ngram b, ngram c, ngram d',
        120_000,
      );

      expect(status).to.equal(422);
      expect(body.error?.code).to.equal('TIME_LIMIT_EXCEEDED');
      expect(body.query.resultsKey).to.equal(undefined);
    });
  });
});
