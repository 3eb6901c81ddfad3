import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import {
  awsClients,
  type CloudDescription,
  people,
  readCloudDescription,
  serviceOf,
  startCloudProcess,
} from '@serverless-patterns/local/testing';
import type { QueryView } from '@serverless-patterns/shared/schemas/api';
import {
  DEFAULT_NGRAMS,
  decadesOf,
  ngramKey,
  TALK_QUERY,
  writeNgramFiles,
} from '../../services/catalog/scripts/ngrams';
import { formatMs, percentile, table } from '../lib/stats';

/**
 * P6 of the data lake, in one run on the same Parquet files:
 * - speed: the talk's query through the API (POST /catalog/queries, then GET until it succeeds: the
 *   front door, API Gateway emulation, the authorizer, Glue, the SQS-fed worker, DuckDB, the result
 *   written to results/) beside DuckDB reading the same files directly; ratio = raw / API, warm
 *   (goal >= 0.8);
 * - pruning: a query filtered on the partition key reads at most 1/k of the bytes (k partitions),
 *   as the engine reports them (bytesScanned).
 * BENCH_LAKE_GRAMS (grams per year, default 20000: 2.4 M rows in 12 decades), BENCH_LAKE_RUNS (10),
 * BENCH_CLOUD_FILE (a running cloud's cloud.json instead of starting one).
 */
const GRAMS = Number(process.env.BENCH_LAKE_GRAMS ?? DEFAULT_NGRAMS.grams);
const RUNS = Number(process.env.BENCH_LAKE_RUNS ?? 10);
const POLL_MS = 10;
const PRUNED_DECADE = 1990;

interface Api {
  query(sql: string): Promise<{ view: QueryView; ms: number }>;
}

function api(description: CloudDescription, idToken: string): Api {
  const base = `${description.portalUrl}/catalog`;
  const headers = { authorization: `Bearer ${idToken}`, 'content-type': 'application/json' };
  return {
    async query(sql) {
      const started = performance.now();
      const accepted = await fetch(`${base}/queries`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ sql }),
      });
      const { query } = (await accepted.json()) as { query?: QueryView };
      if (query === undefined) throw new Error(`query refused (${accepted.status})`);
      for (;;) {
        const answer = await fetch(`${base}/queries/${query.queryId}`, { headers });
        const { query: view } = (await answer.json()) as { query: QueryView };
        if (view.status === 'SUCCEEDED') return { view, ms: performance.now() - started };
        if (view.status === 'FAILED') throw new Error(`query failed: ${JSON.stringify(view.error)}`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
  };
}

async function main() {
  const options = { ...DEFAULT_NGRAMS, grams: GRAMS };
  const k = decadesOf(options).length;
  const workDir = await mkdtemp(join(tmpdir(), 'bench-lake-query-'));
  const own = process.env.BENCH_CLOUD_FILE === undefined;
  const cloud = own ? await startCloudProcess({ stateDir: join(workDir, 'cloud') }) : undefined;
  const description =
    cloud?.description ?? (await readCloudDescription(process.env.BENCH_CLOUD_FILE as string));
  const aws = awsClients(description);
  const duckdb = await DuckDBInstance.create(':memory:', { threads: '2' });
  try {
    // The same files, seeded into the lake and kept for DuckDB on its own.
    const files = await writeNgramFiles(workDir, options);
    const bucket = serviceOf(description, 'catalog').resource('LakeBucket');
    let totalBytes = 0;
    const sizes = new Map<number, number>();
    for (const [decade, file] of files) {
      const body = await readFile(file);
      totalBytes += body.length;
      sizes.set(decade, body.length);
      await aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: ngramKey(decade), Body: body }));
    }
    const signUps = people(description);
    const lake = api(description, (await signUps.create()).idToken);
    signUps.destroy();

    // Registered once every partition is read by the query (the catalog registers as files land).
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { view } = await lake
        .query('SELECT count(DISTINCT decade) AS partitions FROM ngram')
        .catch(() => ({ view: undefined }));
      if (view?.partitionsRead === k && view.bytesScanned === totalBytes) break;
      if (Date.now() > deadline) throw new Error('the seeded partitions were not all registered in time');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    // Warm: one query first (the worker's cold start and its /tmp copies of the files), then RUNS.
    await lake.query(TALK_QUERY);
    const apiMs: number[] = [];
    // Where the API's time goes, from the query's own timestamps (milliseconds, the service's clock).
    const queuedMs: number[] = [];
    const workerMs: number[] = [];
    let talk: QueryView | undefined;
    for (let run = 0; run < RUNS; run += 1) {
      const { view, ms } = await lake.query(TALK_QUERY);
      apiMs.push(ms);
      const at = (time: string | undefined) => Date.parse(time ?? '');
      queuedMs.push(at(view.startedAt) - at(view.submittedAt));
      workerMs.push(at(view.finishedAt) - at(view.startedAt));
      talk = view;
    }

    const connection = await duckdb.connect();
    const list = [...files.values()].map((file) => `'${file}'`).join(', ');
    await connection.run(`CREATE VIEW ngram AS SELECT * FROM read_parquet([${list}])`);
    await connection.runAndReadAll(TALK_QUERY);
    const rawMs: number[] = [];
    let rawRows = 0;
    for (let run = 0; run < RUNS; run += 1) {
      const started = performance.now();
      rawRows = (await connection.runAndReadAll(TALK_QUERY)).currentRowCount;
      rawMs.push(performance.now() - started);
    }
    connection.closeSync();
    if (talk?.rowCount !== rawRows)
      throw new Error(`the API returned ${talk?.rowCount} rows, DuckDB ${rawRows}`);

    const pruned = (
      await lake.query(`SELECT count(*), sum(match_count) FROM ngram WHERE decade = ${PRUNED_DECADE}`)
    ).view;
    const fraction = (pruned.bytesScanned ?? Number.NaN) / totalBytes;
    const largest = Math.max(...sizes.values());

    const [api50, raw50] = [percentile(apiMs, 50), percentile(rawMs, 50)];
    console.log(
      `lake-query: ${k} decades x ${options.grams} grams x 10 years (${(totalBytes / 1e6).toFixed(1)} MB Parquet), ${RUNS} warm runs`,
    );
    console.log(
      table([
        ['target', 'p50', 'p99', 'rows'],
        [
          'API: POST /catalog/queries + GET until SUCCEEDED',
          formatMs(api50),
          formatMs(percentile(apiMs, 99)),
          String(talk?.rowCount),
        ],
        [
          '  of which queued (submitted to started: POST, SQS, trigger)',
          formatMs(percentile(queuedMs, 50)),
          formatMs(percentile(queuedMs, 99)),
          '',
        ],
        [
          '  of which the worker (started to finished: plan, DuckDB, result)',
          formatMs(percentile(workerMs, 50)),
          formatMs(percentile(workerMs, 99)),
          '',
        ],
        [
          'DuckDB on the same files (baseline)',
          formatMs(raw50),
          formatMs(percentile(rawMs, 99)),
          String(rawRows),
        ],
      ]),
    );
    console.log(`P6 speed: ratio raw / API (p50, warm) = ${(raw50 / api50).toFixed(3)} (goal >= 0.8)`);
    console.log(
      `         ratio raw / worker (p50, warm) = ${(raw50 / percentile(workerMs, 50)).toFixed(3)} (the engine's side alone)`,
    );
    console.log(
      `P6 pruning: WHERE decade = ${PRUNED_DECADE} read ${pruned.bytesScanned} of ${totalBytes} bytes ` +
        `(${pruned.partitionsRead} of ${k} partitions): ${fraction.toFixed(4)} of the bytes, 1/k = ${(1 / k).toFixed(4)}; ` +
        `${pruned.bytesScanned === sizes.get(PRUNED_DECADE) ? 'exactly its partition' : 'NOT its partition alone'}` +
        `${fraction <= 1 / k ? ', at most 1/k' : `, over 1/k by ${((fraction * k - 1) * 100).toFixed(2)}% (its file is ${sizes.get(PRUNED_DECADE)} bytes, the largest ${largest})`}`,
    );
  } finally {
    duckdb.closeSync();
    aws.destroy();
    await cloud?.stop();
    await rm(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
