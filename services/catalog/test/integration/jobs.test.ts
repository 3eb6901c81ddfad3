import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import {
  eventually,
  localCloudSuite,
  type Person,
  people,
  serviceOf,
} from '@serverless-patterns/local/testing';
import type { JobView, QueryView } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import { valuePortfolioInProcess } from '../../src/core/jobs/mortgage-job';
import type { LoanResult } from '../../src/core/jobs/mortgage-model';
import { countGrams, rankCounts, textsOf } from '../../src/core/jobs/word-count';

// Batch jobs as an administrator runs them: POST /catalog/jobs through the front door, the job state
// machine (splitter, distributed Map of mappers, reducer) on the local Step Functions and Lambda, the
// result in curated/ and in the catalog, GET /catalog/jobs/{id} for the progress.

interface Answer<T> {
  status: number;
  body: T;
}

const MORTGAGE = { loans: 14, loansPerChunk: 2, scenarios: 12, months: 60, seed: 11, portfolioSeed: 3 };

describe('batch jobs, end to end on the local cloud', function () {
  this.timeout(300_000);
  const suite = localCloudSuite();
  let admin: Person;
  let person: Person;
  let bucket: string;

  before(async () => {
    const { description } = suite.cloud;
    bucket = serviceOf(description, 'catalog').resource('LakeBucket');
    const signUps = people(description);
    [admin, person] = await Promise.all([signUps.create({ admin: true }), signUps.create()]);
    signUps.destroy();
  });

  async function api<T>(
    method: string,
    path: string,
    body?: unknown,
    who: Person = admin,
  ): Promise<Answer<T>> {
    const response = await fetch(`${suite.cloud.description.portalUrl}/catalog${path}`, {
      method,
      headers: { authorization: `Bearer ${who.idToken}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as T };
  }
  const put = (key: string, body: string | Uint8Array) =>
    suite.aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const text = async (location: string) => {
    const key = location.replace(`s3://${bucket}/`, '');
    const { Body } = await suite.aws.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return (await Body?.transformToString()) ?? '';
  };
  const jsonLines = async <T>(location: string) =>
    (await text(location))
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as T);

  /** Starts the job and follows it to its end. */
  async function run(type: string, params: Record<string, unknown>, jobId = `e2e-${randomUUID()}`) {
    const started = await api<{ job: JobView }>('POST', '/jobs', { jobId, type, params });
    expect(started.status, JSON.stringify(started.body)).to.equal(202);
    const done = await eventually(
      () => api<{ job: JobView }>('GET', `/jobs/${jobId}`),
      ({ body }) => body.job?.status !== 'RUNNING',
      240_000,
    );
    expect(done.body.job, JSON.stringify(done.body)).to.include({ status: 'SUCCEEDED' });
    return done.body.job;
  }

  it('counts words and bigrams over a prefix exactly as one process does, and catalogues the result', async () => {
    const prefix = `raw/jobs-e2e-${randomUUID().slice(0, 8)}`;
    const plain = Array.from(
      { length: 40 },
      (_, line) => `The quick brown fox ${line % 7} jumps over the lazy dog`,
    ).join('\n');
    const records = Array.from({ length: 30 }, (_, n) =>
      JSON.stringify({ text: `red fox number ${n % 5}`, n }),
    );
    await put(`${prefix}/a.txt`, `${plain}\n`);
    await put(`${prefix}/b.txt`, 'one line without an end, the fox');
    await put(`${prefix}/c.jsonl.gz`, gzipSync(`${records.join('\n')}\n`));

    const job = await run('word-count', { prefix, ngram: 2, chunkBytes: 256, mappers: 2 });

    const expected = rankCounts(
      countGrams(
        [
          ...textsOf(`${plain}\n`, false),
          ...textsOf('one line without an end, the fox', false),
          ...textsOf(`${records.join('\n')}\n`, true),
        ],
        2,
      ),
    ).map(({ gram, count }) => ({ gram, n: 2, count }));
    expect(await jsonLines(job.result?.location as string)).to.deep.equal(expected);
    // a.txt is 1.7 KB in 256-byte chunks, b.txt one, the GZIP object one.
    expect(job.items).to.include({ succeeded: job.items?.total, failed: 0 });
    expect(job.items?.total).to.be.greaterThan(5);

    const table = DynamoDBDocumentClient.from(suite.aws.dynamodb);
    const catalogTable = serviceOf(suite.cloud.description, 'catalog').resource('CatalogTable');
    const entries = await eventually(
      async () =>
        (
          await table.send(
            new QueryCommand({
              TableName: catalogTable,
              KeyConditionExpression: 'pk = :pk AND sk = :sk',
              ExpressionAttributeValues: {
                ':pk': 'curated/jobs/word-count',
                ':sk': String(job.result?.location).replace(`s3://${bucket}/`, ''),
              },
            }),
          )
        ).Items ?? [],
      (items) => items.length === 1,
      30_000,
    );
    expect(entries[0]).to.include({ format: 'jsonl' });
  });

  it('values the mortgage portfolio to the same cent with 1, 2 and 7 mappers, as one process does', async () => {
    const [one, two, seven] = await Promise.all(
      [1, 2, 7].map((mappers) => run('mortgage', { ...MORTGAGE, mappers })),
    );
    const loansOf = (job: JobView | undefined) => jsonLines<LoanResult>(job?.result?.location as string);
    const loans = await loansOf(one);
    expect(loans.map(({ loan }) => loan)).to.deep.equal([...Array(MORTGAGE.loans).keys()]);
    expect(await loansOf(two)).to.deep.equal(loans);
    expect(await loansOf(seven)).to.deep.equal(loans);
    expect(two?.result?.summary.portfolio).to.deep.equal(one?.result?.summary.portfolio);
    expect(seven?.result?.summary.portfolio).to.deep.equal(one?.result?.summary.portfolio);
    expect(loans).to.deep.equal(
      valuePortfolioInProcess({ ...MORTGAGE, mappers: 1, toleratedFailurePercentage: 0 }).loans,
    );
    expect(seven?.items).to.include({ total: 7, succeeded: 7 });
  });

  it('compacts a partition’s small GZIP files to Parquet that queries the same, once, then removes them', async () => {
    const dataset = `compact_e2e_${randomUUID().slice(0, 8)}`;
    const SQL = (table: string) =>
      `SELECT day, count(*) AS events, sum(n) AS total FROM ${table} GROUP BY day ORDER BY day`;
    for (const day of [1, 2])
      for (const file of [1, 2, 3])
        await put(
          `raw/${dataset}/day=${day}/part-${file}.gz`,
          gzipSync(
            Array.from({ length: 5 }, (_, row) =>
              JSON.stringify({ user: `u-${row}`, n: day * 100 + file * 10 + row }),
            )
              .join('\n')
              .concat('\n'),
          ),
        );
    const expected = [
      ['1', '15', String(15 * 100 + 5 * 60 + 3 * 10)],
      ['2', '15', String(15 * 200 + 5 * 60 + 3 * 10)],
    ];
    const query = async (sql: string) => {
      const started = await api<{ query: QueryView }>('POST', '/queries', { sql }, person);
      if (started.status !== 202) return undefined;
      const done = await eventually(
        () => api<{ query: QueryView }>('GET', `/queries/${started.body.query.queryId}`, undefined, person),
        ({ body }) => body.query.status === 'SUCCEEDED' || body.query.status === 'FAILED',
        60_000,
      );
      return done.body.query.rows;
    };
    // Registration is asynchronous: the raw table answers in full once all six files are in Glue.
    const raw = await eventually(
      () => query(SQL(`raw_${dataset}`)),
      (rows) => JSON.stringify(rows) === JSON.stringify(expected),
      60_000,
    );

    const params = { prefix: `raw/${dataset}`, targetBytes: 1_000_000, mappers: 2 };
    const first = await run('compaction', { ...params, deleteSources: false });
    const again = await run('compaction', params);

    expect(first.result?.summary).to.include({ written: 2, skipped: 0, sourcesRemoved: 0 });
    expect(again.result?.summary).to.include({ written: 0, skipped: 2, sourcesRemoved: 6 });
    expect(again.result?.summary.files).to.deep.equal(first.result?.summary.files);
    const left = await suite.aws.s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `raw/${dataset}/` }),
    );
    expect(left.KeyCount ?? 0).to.equal(0);
    expect(await query(SQL(dataset))).to.deep.equal(raw);
  });

  it('answers the same job to a request sent twice, and refuses other callers and bad parameters', async () => {
    const jobId = `e2e-${randomUUID()}`;
    const request = { jobId, type: 'mortgage', params: { ...MORTGAGE, loans: 2 } };
    const first = await api<{ job: JobView }>('POST', '/jobs', request);
    const again = await api<{ job: JobView }>('POST', '/jobs', request);
    expect([first.status, again.status]).to.deep.equal([202, 200]);
    expect(again.body.job.startedAt).to.equal(first.body.job.startedAt);
    const changed = await api('POST', '/jobs', { ...request, params: { ...MORTGAGE, loans: 3 } });
    expect(changed.status).to.equal(409);

    expect((await api('POST', '/jobs', { type: 'mortgage', params: {} }, person)).status).to.equal(403);
    expect(
      (await api('POST', '/jobs', { type: 'word-count', params: { prefix: 'jobs/x' } })).status,
    ).to.equal(400);
    expect((await api('GET', `/jobs/no-such-job`)).status).to.equal(404);

    // Bad input fails the job with the chunk's own error, and its sources stay.
    const broken = `raw/jobs-bad-${randomUUID().slice(0, 8)}/day=1/not-json.gz`;
    await put(broken, gzipSync('this is not JSON\n'));
    const failedId = `e2e-${randomUUID()}`;
    await api('POST', '/jobs', {
      jobId: failedId,
      type: 'compaction',
      params: { prefix: broken.slice(0, broken.lastIndexOf('/')) },
    });
    const failed = await eventually(
      () => api<{ job: JobView }>('GET', `/jobs/${failedId}`),
      ({ body }) => body.job?.status !== 'RUNNING',
      60_000,
    );
    expect(failed.body.job.status).to.equal('FAILED');
    expect(failed.body.job.error?.message).to.match(/^1 chunk\(s\) failed; the first: /);
    expect(await text(`s3://${bucket}/${broken}`)).to.have.length.greaterThan(0);
  });
});
