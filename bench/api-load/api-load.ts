import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { people, startCloudProcess } from '@serverless-patterns/local/testing';
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon';
import { table } from '../lib/stats';

/**
 * autocannon against GET /devices/{deviceId} through the local stack (front door -> API Gateway
 * emulation -> people authorizer -> Lambda -> DynamoDB Local), beside a bare node:http server that
 * returns the same JSON: the ratio is what the local stack costs. Goals: p99 <= 50 ms, 0 errors.
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 100);
const DURATION_SECONDS = Number(process.env.BENCH_DURATION ?? 20);
const WARM_UP_SECONDS = 5;

interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

function load(url: string, headers: Record<string, string>): Promise<AutocannonResult> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION_SECONDS, headers });
}

async function signedInUser(cloud: Awaited<ReturnType<typeof startCloudProcess>>): Promise<string> {
  const signUps = people(cloud.description);
  const { idToken } = await signUps.create();
  signUps.destroy();
  return idToken;
}

async function main() {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-api-load-'));
  const cloud = await startCloudProcess({ stateDir });
  try {
    const base = cloud.description.portalUrl as string;
    const authorization = `Bearer ${await signedInUser(cloud)}`;
    const created = await fetch(`${base}/devices`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench', location: 'Lab', thresholdC: 25 }),
    });
    const device = (await created.json()) as { deviceId: string };
    const url = `${base}/devices/${device.deviceId}`;
    const body = await (await fetch(url, { headers: { authorization } })).text();

    // Warm-up, not measured: the first invocations start the functions' execution environments (worker
    // threads that load their bundle: Lambda's cold starts, at most LOCAL_LAMBDA_CONCURRENCY per
    // function, see local/src/cloud/offline-fixes/) and fill the authorizer's result cache.
    for (const connections of [1, 10, CONNECTIONS]) {
      await autocannon({ url, connections, duration: WARM_UP_SECONDS, headers: { authorization } });
    }
    const stack = await load(url, { authorization });

    // Baseline: the same JSON from a bare server, loaded the same way in the same run.
    const bare = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const address = bare.address() as { port: number };
    const baseline = await load(`http://127.0.0.1:${address.port}/`, { authorization });
    await new Promise((resolve) => bare.close(resolve));

    const row = (name: string, result: AutocannonResult) => [
      name,
      result.requests.average.toFixed(0),
      `${result.latency.p50} ms`,
      `${result.latency.p99} ms`,
      String(result.errors + result.timeouts + result.non2xx),
    ];
    console.log(`api-load: GET /devices/{id}, ${CONNECTIONS} connections for ${DURATION_SECONDS} s`);
    console.log(
      table([
        ['target', 'req/s', 'p50', 'p99 (goal <= 50 ms)', 'errors'],
        row('local stack (front door -> API -> Lambda -> DynamoDB)', stack),
        row('bare node:http, same JSON (baseline)', baseline),
      ]),
    );
    console.log(
      `ratio to baseline: ${(stack.requests.average / baseline.requests.average).toFixed(3)}x throughput, ` +
        `${(stack.latency.p99 / Math.max(baseline.latency.p99, 1)).toFixed(1)}x p99`,
    );
  } finally {
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
