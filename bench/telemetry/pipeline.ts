/**
 * The telemetry pipeline on a local cloud of its own: end-to-end throughput (readings put on the stream
 * with the SDK's default client, until every one is counted in a stored aggregate) and P4, the alert
 * latency (from the end of a window to its alert stored, the window's own length left out).
 * Goals: >= 20,000 readings/s end to end (20 shards' worth of AWS's 1,000 records/s); P4 p99 <= 2 s.
 * Baselines (the first implementation): ~1,650 readings/s plain, ~2,350/s KPL; P4 p50 1.2 s, p99 1.7 s.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { KinesisClient, PutRecordsCommand, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { awsClients, clientConfig, serviceOf, startCloudProcess } from '@serverless-patterns/local/testing';
import { kplAggregated } from '../../services/clickstream/tools/kpl-records';
import { percentile, table } from '../lib/stats';

// A rate needs a run longer than the window: 100,000 readings went on the stream in 0.6-1.9 s, and the
// run then waited up to a 5 s window for its end whatever the pipeline did (KPL readings: put in 0.6 s,
// counted after 4.8 s). 300,000 spans two to three windows.
const READINGS = Number(process.env.BENCH_READINGS ?? 300_000);
const DEVICES = Number(process.env.BENCH_DEVICES ?? 200);
const WINDOW_SECONDS = Number(process.env.BENCH_WINDOW_SECONDS ?? 5);
const BATCH_SIZE = Number(process.env.BENCH_BATCH_SIZE ?? 5_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const KPL_PER_RECORD = 50;
const P4_DEVICES = 50;
const P4_WINDOWS = 4;

export interface PipelineFigures {
  plainPerSecond: number;
  kplPerSecond: number;
  alertLatencyMs: number[];
}

export async function pipeline(): Promise<PipelineFigures> {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-telemetry-'));
  const cloud = await startCloudProcess({
    stateDir,
    // The aggregator's path alone: the fan-out (a second consumer of the same stream, a processor per
    // 100 readings) would share the machine with it.
    params: {
      telemetryWindowSeconds: String(WINDOW_SECONDS),
      telemetryBatchSize: String(BATCH_SIZE),
      fanOut: 'false',
    },
  });
  const aws = awsClients(cloud.description);
  const kinesis = new KinesisClient(
    clientConfig(cloud.description, cloud.description.endpoints.kinesis as string),
  );
  try {
    const clickstream = serviceOf(cloud.description, 'clickstream');
    const streamName = clickstream.resource('TelemetryStream');
    const aggregatesTable = clickstream.resource('AggregatesTable');
    const alertsTable = clickstream.resource('AlertsTable');
    // The thresholds copy, written as applyDeviceEvents would from api's events: half the fleet runs hot.
    await seedThresholds(aws.dynamodb, clickstream.resource('ThresholdsTable'));

    // P4 first, on a quiet pipeline: hot devices sending a reading every 500 ms over a few windows.
    const p4Began = Date.now();
    for (let tick = 0; Date.now() - p4Began < P4_WINDOWS * WINDOW_SECONDS * 1000; tick += 1) {
      await kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: Array.from({ length: P4_DEVICES }, (_, device) => ({
            PartitionKey: `bench-p4-${device}`,
            Data: Buffer.from(
              JSON.stringify({
                deviceId: `bench-p4-${device}`,
                readingId: `r${tick}`,
                temperatureC: 28,
                recordedAt: new Date().toISOString(),
              }),
            ),
          })),
        }),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    // The last window's alerts: its end, then the time they take.
    await new Promise((resolve) => setTimeout(resolve, (WINDOW_SECONDS + 8) * 1000));
    const alerts = (await scanAll(aws.dynamodb, alertsTable)).filter((item) =>
      item.deviceId?.S?.startsWith('bench-p4-'),
    );
    const alertLatencyMs = alerts.map(
      (item) => Date.parse(item.raisedAt?.S ?? '') - Date.parse(item.windowEnd?.S ?? ''),
    );

    const plain = await run('plain', (deviceId, readings) =>
      readings.map((Data) => ({ Data, PartitionKey: deviceId })),
    );
    const kpl = await run('kpl', (deviceId, readings) =>
      kplAggregated(deviceId, readings).map((Data) => ({ Data, PartitionKey: deviceId })),
    );
    return { plainPerSecond: plain, kplPerSecond: kpl, alertLatencyMs };

    async function run(
      label: string,
      encode: (deviceId: string, readings: Buffer[]) => PutRecordsRequestEntry[],
    ) {
      const entries: PutRecordsRequestEntry[] = [];
      const perDevice = Math.ceil(READINGS / DEVICES);
      for (let device = 0; device < DEVICES; device += 1) {
        const deviceId = `bench-${label}-${device}`;
        const readings = Array.from({ length: perDevice }, (_, index) =>
          Buffer.from(
            JSON.stringify({
              deviceId,
              readingId: `r${index}`,
              temperatureC: device % 2 === 0 ? 26 + (index % 3) : 20,
              recordedAt: new Date().toISOString(),
            }),
          ),
        );
        // KPL: records of KPL_PER_RECORD readings, as a gateway batches them.
        for (
          let start = 0;
          start < readings.length;
          start += label === 'kpl' ? KPL_PER_RECORD : readings.length
        ) {
          entries.push(
            ...encode(
              deviceId,
              readings.slice(start, start + (label === 'kpl' ? KPL_PER_RECORD : readings.length)),
            ),
          );
        }
      }
      const total = perDevice * DEVICES;
      const began = performance.now();
      let next = 0;
      const putter = async () => {
        while (next < entries.length) {
          const chunk = entries.slice(next, next + 500);
          next += 500;
          let pending = chunk;
          while (pending.length > 0) {
            const { Records = [] } = await kinesis.send(
              new PutRecordsCommand({ StreamName: streamName, Records: pending }),
            );
            pending = pending.filter((_, index) => Records[index]?.ErrorCode !== undefined);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, putter));
      const putSeconds = (performance.now() - began) / 1000;
      let counted = 0;
      const deadline = Date.now() + 600_000;
      while (counted < total && Date.now() < deadline) {
        const items = await scanAll(aws.dynamodb, aggregatesTable, ['deviceId', 'count']);
        counted = items
          .filter((item) => item.deviceId?.S?.startsWith(`bench-${label}-`))
          .reduce((sum, item) => sum + Number(item.count?.N ?? 0), 0);
        if (counted < total) await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const seconds = (performance.now() - began) / 1000;
      if (counted !== total)
        throw new Error(`${label}: ${counted} of ${total} readings counted after ${seconds} s`);
      console.log(
        `${label}: ${total} readings put in ${putSeconds.toFixed(1)} s, all counted in aggregates after ${seconds.toFixed(1)} s`,
      );
      return total / seconds;
    }
  } finally {
    kinesis.destroy();
    aws.destroy();
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

async function seedThresholds(dynamodb: ReturnType<typeof awsClients>['dynamodb'], table: string) {
  const items = ['plain', 'kpl', 'p4'].flatMap((label) =>
    Array.from({ length: DEVICES }, (_, device) => ({
      PutRequest: {
        Item: {
          deviceId: { S: `bench-${label}-${device}` },
          ownerId: { S: 'bench-owner' },
          thresholdC: { N: '25' },
          deleted: { BOOL: false },
          occurredAt: { S: new Date().toISOString() },
        },
      },
    })),
  );
  for (let start = 0; start < items.length; start += 25) {
    await dynamodb.send(
      new BatchWriteItemCommand({ RequestItems: { [table]: items.slice(start, start + 25) } }),
    );
  }
}

/** Every item of `table`; with `attributes`, only those (the bench's polling is work for DynamoDB Local too). */
async function scanAll(
  dynamodb: ReturnType<typeof awsClients>['dynamodb'],
  table: string,
  attributes?: readonly string[],
) {
  const items: Record<string, { S?: string; N?: string }>[] = [];
  const projection =
    attributes === undefined
      ? {}
      : {
          ProjectionExpression: attributes.map((_, index) => `#a${index}`).join(', '),
          ExpressionAttributeNames: Object.fromEntries(attributes.map((name, index) => [`#a${index}`, name])),
        };
  let ExclusiveStartKey: Record<string, never> | undefined;
  do {
    const page = await dynamodb.send(new ScanCommand({ TableName: table, ExclusiveStartKey, ...projection }));
    items.push(...((page.Items ?? []) as Record<string, { S?: string; N?: string }>[]));
    ExclusiveStartKey = page.LastEvaluatedKey as Record<string, never> | undefined;
  } while (ExclusiveStartKey !== undefined);
  return items;
}

export function printPipeline({ plainPerSecond, kplPerSecond, alertLatencyMs }: PipelineFigures): void {
  console.log(
    `\nTelemetry end to end (${READINGS.toLocaleString('en')} readings, window ${WINDOW_SECONDS} s, batch size ${BATCH_SIZE}, ${DEVICES} devices, 2 local shards)`,
  );
  console.log(
    table([
      ['path', 'readings/s', 'goal', 'baseline (100,000 readings)'],
      ['plain records', Math.round(plainPerSecond), '>= 20,000', '~1,650'],
      [`KPL records of ${KPL_PER_RECORD}`, Math.round(kplPerSecond), '>= 20,000', '~2,350'],
    ]),
  );
  console.log(
    table([
      ['P4 alert latency (window end -> alert stored)', 'p50', 'p99', 'goal p99', 'baseline'],
      [
        `${alertLatencyMs.length} alerts (${P4_DEVICES} hot devices, quiet pipeline)`,
        `${(percentile(alertLatencyMs, 50) / 1000).toFixed(2)} s`,
        `${(percentile(alertLatencyMs, 99) / 1000).toFixed(2)} s`,
        '<= 2 s',
        'p50 1.2 s, p99 1.7 s',
      ],
    ]),
  );
}
