/**
 * P3 (in-process half): the aggregateTelemetry handler, as Lambda runs it (Powertools middleware,
 * the shared schema's contract, reading ids, the window state), on Kinesis batches of plain and
 * KPL-aggregated records, beside a bare loop with the same decoding, in one run, rounds interleaved.
 * Goal: handler / bare loop >= 0.5. Baseline: 0.37 (the first implementation, zod on every reading).
 */
import type { Context } from 'aws-lambda';
import { percentile, table } from '../lib/stats';
import { bareLoop, telemetryBatches } from './batches';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 40);
const RECORDS_PER_BATCH = Number(process.env.BENCH_RECORDS_PER_BATCH ?? 1000);

export async function handlerThroughput(): Promise<{
  handlerPerSecond: number;
  barePerSecond: number;
  ratio: number;
}> {
  // What serverless.yml gives the function; a batch without malformed readings, not the window's last,
  // calls no AWS service.
  Object.assign(process.env, {
    TELEMETRY_ERRORS_STREAM_NAME: 'bench-errors',
    AGGREGATES_TABLE_NAME: 'bench-aggregates',
    AWS_REGION: 'us-east-1',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_METRICS_NAMESPACE: 'bench',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  });
  const { handler } = await import('../../services/clickstream/src/handlers/aggregate-telemetry');
  const context = {
    functionName: 'aggregateTelemetry',
    awsRequestId: 'bench',
    getRemainingTimeInMillis: () => 60_000,
  } as unknown as Context;
  const batches = telemetryBatches({ batches: BATCHES, recordsPerBatch: RECORDS_PER_BATCH, devices: 500 });
  const readings = batches.reduce((sum, batch) => sum + batch.readings, 0);
  const window = { start: '2026-12-05T07:00:00Z', end: '2026-12-05T07:01:00Z' };

  const handlerRates: number[] = [];
  const bareRates: number[] = [];
  // The EMF line each invocation writes goes to CloudWatch in AWS; here it would only fill the terminal.
  const write = process.stdout.write.bind(process.stdout);
  const quiet = (() => true) as typeof process.stdout.write;
  for (let round = 0; round < ROUNDS; round += 1) {
    let state: Record<string, unknown> = {};
    let began = performance.now();
    process.stdout.write = quiet;
    for (const { records } of batches) {
      // The windows of each round are new: reading ids of the last round are not duplicates.
      const event = {
        Records: records,
        window: { ...window, start: `${round}` },
        state,
        shardId: 'shardId-000000000000',
        eventSourceARN: 'arn',
        isFinalInvokeForWindow: false,
        isWindowTerminatedEarly: false,
      };
      const response = await handler(event as never, context);
      state = (response.state ?? {}) as Record<string, unknown>;
      state = JSON.parse(JSON.stringify(state)); // as Lambda carries it
    }
    process.stdout.write = write;
    handlerRates.push(readings / ((performance.now() - began) / 1000));

    began = performance.now();
    const tallies = new Map<string, number[]>();
    let counted = 0;
    for (const { records } of batches) counted += bareLoop(records, tallies);
    if (counted !== readings) throw new Error(`bare loop counted ${counted} of ${readings}`);
    bareRates.push(readings / ((performance.now() - began) / 1000));
  }
  const handlerPerSecond = percentile(handlerRates, 50);
  const barePerSecond = percentile(bareRates, 50);
  const ratio = handlerPerSecond / barePerSecond;
  console.log(
    `\nP3, the aggregator handler beside a bare decoding loop (${BATCHES} batches of ${RECORDS_PER_BATCH} records, ${readings} readings, half in KPL records; median of ${ROUNDS} rounds)`,
  );
  console.log(
    table([
      ['path', 'readings/s', 'ratio'],
      ['bare loop (base64, KPL, JSON, tallies)', Math.round(barePerSecond), '1.00'],
      ['aggregateTelemetry handler', Math.round(handlerPerSecond), ratio.toFixed(2)],
      ['goal', '', '>= 0.50 (baseline 0.37)'],
    ]),
  );
  return { handlerPerSecond, barePerSecond, ratio };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  handlerThroughput().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
