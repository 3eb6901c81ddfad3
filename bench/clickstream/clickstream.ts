import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { FirehoseClient } from '@aws-sdk/client-firehose';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import { awsClients, serviceOf, startCloudProcess } from '@serverless-patterns/local/testing';
import { createClicksDeliveryStream } from '../../services/clickstream/src/adapters/clicks-delivery-stream';
import { createRecordPutter } from '../../services/clickstream/src/core/record-putter';
import { createShoppingSessions } from '../../services/clickstream/tools/shopping-sessions';
import { THERMOSTATS } from '../../services/clickstream/tools/thermostats';
import { percentile, table } from '../lib/stats';

/**
 * P2, the clicks' throughput: events per second from the first PutRecordBatch to the last event found
 * in S3 (objects listed, downloaded and gunzipped as they appear), through Firehose alone (a stream
 * without transformation that writes as data arrives, bench-service/), after a warm-up of 25,000
 * events through it. Then through one with the configured interval and through the clickstream's
 * stream (transformClicks, dynamic partitioning, backup), whose figures include the wait for the last
 * buffers. Beside them the raw floor measured in the same run: the same events serialized, gzipped in
 * objects of the same size and written to disk by this one process. And the data freshness Firehose
 * reports (DeliveryToS3.DataFreshness: the age of the oldest record of each object when it is
 * written) at the configured buffer interval. Goals: ratio >= 0.25, >= 100,000/s.
 */
// 300,000: warm, 100,000 events went through in about 1.2 s, and the first object's 0.5 s and the last
// object's listing were a third of that. A rate wants a run longer than its fixed latencies.
const EVENTS = Number(process.env.BENCH_EVENTS ?? 300_000);
const BUFFER_SECONDS = Number(process.env.BENCH_BUFFER_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const OBJECT_BYTES = 5 * 1024 * 1024;
const WARM_UP_EVENTS = Math.min(Number(process.env.BENCH_WARM_UP ?? 25_000), EVENTS);

async function main() {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-clickstream-'));
  const sessions = createShoppingSessions({ productIds: THERMOSTATS.map((product) => product.productId) });
  // The clicks as lines only: 300,000 click objects kept alive beside them made this process's
  // garbage collections, which share the event loop with the putters, longer.
  let humans = 0;
  const lines = Array.from({ length: EVENTS }, () => {
    const click = sessions.next();
    if (!/bot/i.test(click.userAgent ?? '')) humans += 1;
    return Buffer.from(`${JSON.stringify(click)}\n`);
  });

  const floor = await rawFloor(lines, join(stateDir, 'floor'));
  const cloud = await startCloudProcess({
    stateDir,
    extraServices: [join(import.meta.dirname, 'bench-service')],
    params: { clicksBufferSeconds: String(BUFFER_SECONDS) },
  });
  const aws = awsClients(cloud.description);
  try {
    const bench = serviceOf(cloud.description, 'bench-service');
    const clickstream = serviceOf(cloud.description, 'clickstream');
    for (const product of THERMOSTATS) {
      await aws.dynamodb.send(
        new PutItemCommand({
          TableName: clickstream.resource('ProductsTable'),
          Item: {
            productId: { S: product.productId },
            name: { S: product.name },
            category: { S: product.category },
            price: { N: String(product.price) },
            description: { S: product.description },
          },
        }),
      );
    }
    const clicksStream = clickstream.resource('ClicksDeliveryStream');
    const benchBucket = bench.resource('BenchBucket');
    // Warm-up: the first WARM_UP_EVENTS events through the same stream, not counted. Cold, the first
    // second measured the JIT of the emulator and of the SDK clients.
    const warmUp = lines.slice(0, WARM_UP_EVENTS);
    const warm = await deliver(
      aws.firehose,
      aws.s3,
      bench.resource('ZeroBufferDeliveryStream'),
      benchBucket,
      'zero/',
      warmUp,
      warmUp.length,
    );
    // The metrics are flushed every second: the warm-up's last ones are out before the measured run.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const measuredFrom = Date.now();
    const zero = await deliver(
      aws.firehose,
      aws.s3,
      bench.resource('ZeroBufferDeliveryStream'),
      benchBucket,
      'zero/',
      lines,
      EVENTS,
      warm.keys,
    );
    const plain = await deliver(
      aws.firehose,
      aws.s3,
      bench.resource('PlainDeliveryStream'),
      benchBucket,
      'plain/',
      lines,
      EVENTS,
    );
    const transformed = await deliver(
      aws.firehose,
      aws.s3,
      clicksStream,
      serviceOf(cloud.description, 'catalog').resource('LakeBucket'),
      'raw/clickstream/',
      lines,
      humans,
    );
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the metrics are flushed every second
    // The warm-up's objects are left out of the freshness too.
    const freshness = await freshnessOf(join(stateDir, 'metrics', 'metrics.jsonl'), measuredFrom);
    const seconds = (values: number[] | undefined, p: number) =>
      `${percentile(values ?? [], p).toFixed(1)} s`;
    const row = (name: string, result: Delivery) => [
      name,
      Math.round(result.eventsPerSecond),
      (result.eventsPerSecond / floor).toFixed(2),
      Math.round(result.sendPerSecond),
      `${result.delivered}/${result.expected}`,
      seconds(freshness.get(result.stream), 50),
      seconds(freshness.get(result.stream), 99),
    ];
    console.log(
      `\nclickstream: ${EVENTS} shopping clicks (${EVENTS - humans} from crawlers, dropped by transformClicks), buffer interval ${BUFFER_SECONDS} s, ${CONCURRENCY} PutRecordBatch calls of 500 in flight\n`,
    );
    console.log(
      table([
        ['path', 'events/s', 'x floor', 'put/s', 'in S3', 'freshness p50', 'freshness p99'],
        [
          'raw floor: serialize, gzip, write to disk (one process)',
          Math.round(floor),
          '1.00',
          '',
          '',
          '',
          '',
        ],
        row('P2 Firehose alone: PutRecordBatch -> GZIP objects in S3 (interval 0 s)', zero),
        row(`Firehose alone, interval ${BUFFER_SECONDS} s (the last buffer waits for it)`, plain),
        row(
          `clickstream, interval ${BUFFER_SECONDS} s: + transformClicks, dynamic partitioning, backup`,
          transformed,
        ),
      ]),
    );
    console.log(
      '\ngoals: P2 x floor >= 0.25 and >= 100,000 events/s; freshness: the age of the oldest record of each object when written',
    );
  } finally {
    aws.destroy();
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** The same events as lines, gzipped in objects of Firehose's default size and written to files. */
async function rawFloor(lines: Buffer[], dir: string): Promise<number> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const started = performance.now();
  let chunk: Buffer[] = [];
  let bytes = 0;
  let objects = 0;
  const flush = async () => {
    await writeFile(join(dir, `object-${objects++}.jsonl.gz`), gzipSync(Buffer.concat(chunk)));
    chunk = [];
    bytes = 0;
  };
  for (const line of lines) {
    // Serialized again, as the floor includes what a producer pays for its events.
    const serialized = Buffer.from(`${JSON.stringify(JSON.parse(line.toString()))}\n`);
    chunk.push(serialized);
    bytes += serialized.length;
    if (bytes >= OBJECT_BYTES) await flush();
  }
  if (chunk.length > 0) await flush();
  return lines.length / ((performance.now() - started) / 1000);
}

interface Delivery {
  stream: string;
  eventsPerSecond: number;
  sendPerSecond: number;
  delivered: number;
  expected: number;
  /** The objects counted. */
  keys: Set<string>;
}

/**
 * Puts every line, CONCURRENCY calls at a time, while counting the lines that reach S3 under `prefix`
 * in objects other than `earlier` (those of an earlier delivery under the same prefix).
 */
async function deliver(
  firehose: FirehoseClient,
  s3: S3Client,
  stream: string,
  bucket: string,
  prefix: string,
  lines: Buffer[],
  expected: number,
  earlier: ReadonlySet<string> = new Set(),
): Promise<Delivery> {
  const putter = createRecordPutter({
    stream: createClicksDeliveryStream({ client: firehose, deliveryStreamName: stream }),
    maxAttempts: 10,
  });
  const started = performance.now();
  let next = 0;
  let refused = 0;
  const sending = Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < lines.length) {
        const start = next;
        next += 500;
        refused += (await putter.putAll(lines.slice(start, start + 500))).refused.length;
      }
    }),
  ).then(() => performance.now());
  const counting = countLines(s3, bucket, prefix, expected, earlier);
  const sent = await sending;
  const { delivered, at, keys } = await counting;
  if (refused > 0) console.error(`${stream}: ${refused} records refused`);
  return {
    stream,
    eventsPerSecond: delivered / ((at - started) / 1000),
    sendPerSecond: lines.length / ((sent - started) / 1000),
    delivered,
    expected,
    keys,
  };
}

/** Lines in the objects under `prefix`, read as they appear, until `expected` (or 10 minutes). */
async function countLines(
  s3: S3Client,
  bucket: string,
  prefix: string,
  expected: number,
  earlier: ReadonlySet<string>,
) {
  const seen = new Set<string>(earlier);
  let delivered = 0;
  let at = performance.now();
  const deadline = Date.now() + 600_000;
  while (delivered < expected && Date.now() < deadline) {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
      for (const { Key } of page.Contents ?? []) {
        if (Key === undefined || seen.has(Key)) continue;
        seen.add(Key);
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
        const body = gunzipSync(Buffer.from((await object.Body?.transformToByteArray()) ?? []));
        // An indexed loop: iterating the Buffer (for...of) took 290 ms per 20 MB on the event loop that
        // also runs the putters.
        for (let index = 0; index < body.length; index += 1) if (body[index] === 0x0a) delivered += 1;
        at = performance.now();
      }
    }
    if (delivered < expected) await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { delivered, at, keys: seen };
}

/** DeliveryToS3.DataFreshness values by stream published from `since` (epoch ms), from the local cloud's metrics file. */
async function freshnessOf(file: string, since: number): Promise<Map<string, number[]>> {
  const byStream = new Map<string, number[]>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    if (!line.includes('DeliveryToS3.DataFreshness')) continue;
    const document = JSON.parse(line) as Record<string, unknown> & { _aws?: { Timestamp?: number } };
    if ((document._aws?.Timestamp ?? 0) < since) continue;
    const stream = String(document.DeliveryStreamName);
    byStream.set(stream, [
      ...(byStream.get(stream) ?? []),
      ...(document['DeliveryToS3.DataFreshness'] as number[]),
    ]);
  }
  return byStream;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
