import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { awsClients, serviceOf, startCloudProcess } from '@serverless-patterns/local/testing';
import { formatMs, percentile, table } from '../lib/stats';
import { handler } from './latency-service/src/note-arrival';

/**
 * Time from an S3 PutObject or a Kinesis PutRecord (as the caller starts it) to the handler's
 * start, over EVENTS events each, beside a direct in-process call of the same handler. Events are
 * sent one after another, each once the previous one arrived, so that the figure is the latency of
 * one trigger, not of a queue. (The cloud's CPU while idle is measured by bench/startup.)
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 500);

async function main() {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-trigger-latency-'));
  const arrivalsFile = join(stateDir, 'arrivals.log');
  const cloud = await startCloudProcess({
    stateDir,
    extraServices: [join(import.meta.dirname, 'latency-service')],
    env: { BENCH_ARRIVALS_FILE: arrivalsFile },
  });
  try {
    const service = serviceOf(cloud.description, 'latency-service');
    const { s3, kinesis } = awsClients(cloud.description);
    const bucket = service.resource('LatencyBucket');
    const stream = service.resource('LatencyStream');

    const s3Latencies = await measure(arrivalsFile, EVENTS, (id) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: id, Body: 'x' })),
    );
    const kinesisLatencies = await measure(arrivalsFile, EVENTS, (id) =>
      kinesis.send(new PutRecordCommand({ StreamName: stream, PartitionKey: id, Data: Buffer.from(id) })),
    );

    // The baseline: the same handler called in this process, with the same event shape.
    process.env.ARRIVALS_FILE = join(stateDir, 'direct.log');
    const direct: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const started = performance.now();
      await handler({ Records: [{ s3: { object: { key: `direct-${i}` } } }] });
      direct.push(performance.now() - started);
    }
    const directP50 = percentile(direct, 50);
    const row = (name: string, samples: number[]) => [
      name,
      formatMs(percentile(samples, 50)),
      formatMs(percentile(samples, 99)),
      `${(percentile(samples, 50) - directP50).toFixed(1)} ms`,
      `${(percentile(samples, 50) / directP50).toFixed(0)}x`,
    ];
    console.log(`trigger-latency: ${EVENTS} events each, sent one after another`);
    console.log(
      table([
        ['path', 'p50', 'p99', 'added p50 (goal <= 20 ms)', 'ratio to direct'],
        row('S3 PutObject -> handler start', s3Latencies),
        row('Kinesis PutRecord -> handler start', kinesisLatencies),
        row('direct in-process call (baseline)', direct),
      ]),
    );
  } finally {
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function measure(
  arrivalsFile: string,
  count: number,
  send: (id: string) => Promise<unknown>,
): Promise<number[]> {
  const latencies: number[] = [];
  const prefix = `bench-${Date.now()}`;
  // A few warm-up events: the first invocation of a function bundles and loads it.
  for (let i = -5; i < count; i++) {
    const id = `${prefix}-${i}`;
    const sentAt = Date.now();
    await send(id);
    const arrivedAt = await waitForArrival(arrivalsFile, id);
    if (i >= 0) latencies.push(arrivedAt - sentAt);
  }
  rmSync(arrivalsFile, { force: true });
  return latencies;
}

async function waitForArrival(arrivalsFile: string, id: string): Promise<number> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (existsSync(arrivalsFile)) {
      const line = readFileSync(arrivalsFile, 'utf8')
        .split('\n')
        .find((candidate) => candidate.startsWith(`${id} `));
      if (line) return Number(line.split(' ')[1]);
    }
    if (Date.now() > deadline) throw new Error(`${id} never reached the handler`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
