import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { awsClients, serviceOf, startCloudProcess } from '@serverless-patterns/local/testing';
import { measureProcessCpu } from '../lib/process-cpu';
import { formatMs, percentile, table } from '../lib/stats';
import { handler } from './latency-service/src/note-arrival';

/**
 * Time from an S3 PutObject or a Kinesis PutRecord (as the caller starts it) to the handler's
 * start, over EVENTS events each, beside a direct in-process call of the same handler. Events are
 * sent one after another, each once the previous one arrived, so that the figure is the latency of
 * one trigger, not of a queue. Before them, the CPU the whole cloud uses while nothing happens, from
 * /proc, with the fixture service's event source mappings polling their streams and queue.
 */
const EVENTS = Number(process.env.BENCH_EVENTS ?? 500);
/** Start-up work ends, and quiet shards slow their polling down, before the idle window opens. */
const IDLE_SETTLE_MS = 10_000;
const IDLE_WINDOW_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);
const FIXTURE_SERVICE = join(import.meta.dirname, '..', '..', 'local', 'test', 'fixture-service');

async function main() {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-trigger-latency-'));
  const arrivalsFile = join(stateDir, 'arrivals.log');
  const cloud = await startCloudProcess({
    stateDir,
    extraServices: [join(import.meta.dirname, 'latency-service'), FIXTURE_SERVICE],
    env: { BENCH_ARRIVALS_FILE: arrivalsFile, FIXTURE_RECORDINGS_DIR: join(stateDir, 'recordings') },
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const loadBefore = loadavg()[0] as number;
    const idle = await measureProcessCpu(
      [{ pid: cloud.description.pid, name: 'local cloud' }, ...cloud.description.processes],
      IDLE_WINDOW_MS,
    );
    const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
    console.log(
      `idle CPU: ${percent(idle.total)} of one core (goal < 5 %) over ${IDLE_WINDOW_MS / 1000} s, every process the cloud started; load average ${loadBefore.toFixed(1)}`,
    );
    console.log(
      table([
        ['process', 'share of one core'],
        ...idle.processes.slice(0, 5).map((process) => [process.name, percent(process.share)]),
      ]),
    );

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
