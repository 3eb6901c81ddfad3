import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import {
  type CloudDescription,
  concurrencyFrom,
  people,
  serviceOf,
  startCloudProcess,
} from '@serverless-patterns/local/testing';
// @ts-expect-error autocannon ships no type declarations
import autocannon from 'autocannon';
import { type CpuTimes, measureCpu } from '../lib/process-cpu';
import { table } from '../lib/stats';

/**
 * What the local cloud adds to an API call. autocannon on GET /devices/{deviceId} through the local
 * stack (front door -> serverless-offline's API Gateway -> people authorizer, cached -> the getDevice
 * function in a worker thread -> DynamoDB Local), beside the same handler (the same bundle) invoked
 * in a process of its own against the same DynamoDB Local, at the same concurrency, in one run.
 * Goals: throughput ratio >= 0.7, p99 at 10 connections <= 50 ms, no error at 100 connections for
 * 60 s. Where the CPU goes, per request and per process (Linux), says what to make cheaper.
 * A third target runs the same handler in as many worker threads as the local cloud gives a function
 * (LOCAL_LAMBDA_CONCURRENCY), one invocation each: Lambda's execution model without the local cloud's
 * hops, so that what the hops cost and what the model costs are told apart.
 */
const SHORT_SECONDS = Number(process.env.BENCH_DURATION ?? 20);
const LONG_SECONDS = Number(process.env.BENCH_LONG_DURATION ?? 60);
const WARM_UP_SECONDS = 5;
const GOALS = { ratio: 0.7, p99At10Ms: 50, errorsAt100: 0 };
/** The execution environments the local cloud gives each function (execution-environments.ts). */
const ENVIRONMENTS = concurrencyFrom(process.env.LOCAL_LAMBDA_CONCURRENCY, availableParallelism());
const TARGETS = {
  stack: 'local stack (front door -> API -> Lambda -> DynamoDB)',
  'in-process': 'same handler in-process',
  'in-process, workers': `same handler in ${ENVIRONMENTS} worker threads`,
} as const;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}

interface Run {
  target: keyof typeof TARGETS;
  connections: number;
  seconds: number;
  result: AutocannonResult;
  cpu: Map<string, CpuTimes>;
}

const errorsOf = (result: AutocannonResult) => result.errors + result.timeouts + result.non2xx;

function load(url: string, authorization: string, connections: number, seconds: number) {
  return autocannon({
    url,
    connections,
    duration: seconds,
    headers: { authorization },
  }) as Promise<AutocannonResult>;
}

/** The bundle serverless-esbuild built for the function, in the work folder of this cloud. */
function bundleOf(stateDir: string, servicePath: string, handlerFile: string): string {
  const bundle = join(servicePath, `.esbuild-${basename(stateDir)}`, '.build', handlerFile);
  if (!existsSync(bundle))
    throw new Error(`no bundle at ${bundle}: has serverless-esbuild's layout changed?`);
  return bundle;
}

/**
 * A baseline's process: the handler behind a bare node:http server, with the function's environment,
 * on its main thread or in `workers` worker threads.
 */
async function startInProcessHandler(
  description: CloudDescription,
  stateDir: string,
  userId: string,
  workers = 0,
): Promise<{ url: string; child: ChildProcess }> {
  const api = serviceOf(description, 'api');
  const functionName = api.functionName('getDevice');
  const environments = JSON.parse(await readFile(join(stateDir, 'build', 'api.environment.json'), 'utf8'));
  const bundle = bundleOf(
    stateDir,
    join(import.meta.dirname, '..', '..', 'services', 'api'),
    'src/handlers/get-device.js',
  );
  const args = [bundle, userId, functionName, String(workers)];
  const child = fork(join(import.meta.dirname, 'in-process-handler.ts'), args, {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, ...description.environment, ...environments[functionName] },
    // The handler's log lines go where the local cloud sends them when not --verbose: nowhere. The
    // last of its stderr says why, should it not start.
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = `${stderr}${chunk}`.slice(-2_000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`the in-process handler exited (${code}):\n${stderr}`)));
  });
  return { url: `http://127.0.0.1:${port}/devices`, child };
}

async function main() {
  const stateDir = await mkdtemp(join(tmpdir(), 'bench-api-load-'));
  const loadBefore = loadavg();
  const cloud = await startCloudProcess({ stateDir });
  const baselines: ChildProcess[] = [];
  try {
    const { description } = cloud;
    const portal = description.portalUrl as string;
    const signUps = people(description);
    const person = await signUps.create();
    signUps.destroy();
    const authorization = `Bearer ${person.idToken}`;
    const created = await fetch(`${portal}/devices`, {
      method: 'POST',
      headers: { authorization, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Bench', location: 'Lab', thresholdC: 25 }),
    });
    const { deviceId } = (await created.json()) as { deviceId: string };
    const inProcess = await startInProcessHandler(description, stateDir, person.userId);
    const inWorkers = await startInProcessHandler(description, stateDir, person.userId, ENVIRONMENTS);
    baselines.push(inProcess.child, inWorkers.child);
    const urls: Record<Run['target'], string> = {
      stack: `${portal}/devices/${deviceId}`,
      'in-process': `${inProcess.url}/${deviceId}`,
      'in-process, workers': `${inWorkers.url}/${deviceId}`,
    };
    for (const [target, url] of Object.entries(urls)) {
      const answer = await fetch(url, { headers: { authorization } });
      if (answer.status !== 200) throw new Error(`${target}: ${answer.status} ${await answer.text()}`);
    }

    // Warm-up, not measured: the function's execution environments start (worker threads that load
    // the bundle, at most LOCAL_LAMBDA_CONCURRENCY, local/src/cloud/offline-fixes/), the authorizer's
    // result cache fills, and both sides' JIT settles.
    for (const connections of [1, 10, 100]) {
      for (const url of Object.values(urls)) await load(url, authorization, connections, WARM_UP_SECONDS);
    }

    const pids = new Map<string, number>([
      ...description.processes.map(({ name, pid }): [string, number] => [name, pid]),
      ['in-process handler', inProcess.child.pid as number],
      [`in-process handler, ${ENVIRONMENTS} workers`, inWorkers.child.pid as number],
      // autocannon runs in this process: on two cores its CPU is part of what both sides share.
      ['bench (autocannon)', process.pid],
    ]);
    const runs: Run[] = [];
    for (const [connections, seconds] of [
      [10, SHORT_SECONDS],
      [100, LONG_SECONDS],
    ] as const) {
      for (const [target, url] of Object.entries(urls) as [Run['target'], string][]) {
        const { result, cpu } = await measureCpu(pids, () => load(url, authorization, connections, seconds));
        runs.push({ target, connections, seconds, result, cpu });
      }
    }
    report(runs, loadBefore);
  } finally {
    for (const baseline of baselines) baseline.kill();
    await cloud.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

function report(runs: readonly Run[], loadBefore: number[]) {
  const run = (target: Run['target'], connections: number) =>
    runs.find((r) => r.target === target && r.connections === connections) as Run;
  const format = (load: number[]) => load.map((value) => value.toFixed(2)).join(', ');
  console.log(
    `api-load: GET /devices/{id}, ${availableParallelism()} cores, load average ${format(loadBefore)} before, ${format(loadavg())} after`,
  );
  console.log(
    table([
      ['target', 'connections', 'seconds', 'req/s', 'p50', 'p99', 'errors'],
      ...runs.map(({ target, connections, seconds, result }) => [
        TARGETS[target],
        connections,
        seconds,
        result.requests.average.toFixed(0),
        `${result.latency.p50} ms`,
        `${result.latency.p99} ms`,
        errorsOf(result),
      ]),
    ]),
  );
  const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
  for (const connections of [10, 100]) {
    const ratio =
      run('stack', connections).result.requests.average /
      run('in-process', connections).result.requests.average;
    console.log(
      `throughput ratio at ${connections} connections: ${ratio.toFixed(2)} (goal >= ${GOALS.ratio}: ${verdict(ratio >= GOALS.ratio)})`,
    );
  }
  const p99 = run('stack', 10).result.latency.p99;
  console.log(
    `p99 at 10 connections: ${p99} ms (goal <= ${GOALS.p99At10Ms} ms: ${verdict(p99 <= GOALS.p99At10Ms)})`,
  );
  const long = run('stack', 100);
  const errors = errorsOf(long.result);
  console.log(
    `errors at 100 connections for ${long.seconds} s: ${errors} (goal ${GOALS.errorsAt100}: ${verdict(errors <= GOALS.errorsAt100)})`,
  );
  for (const connections of [10, 100]) {
    const ratio =
      run('stack', connections).result.requests.average /
      run('in-process, workers', connections).result.requests.average;
    console.log(
      `throughput ratio against the handler in ${ENVIRONMENTS} worker threads at ${connections} connections: ${ratio.toFixed(2)} (the hops' share alone)`,
    );
  }
  const [stack = 1, bare = 0, workers = 0] = (['stack', 'in-process', 'in-process, workers'] as const).map(
    (target) => cpuReport(run(target, 100)),
  );
  console.log(
    `\nCPU per request, 100 connections: in-process / stack ${(bare / stack).toFixed(2)}, in ${ENVIRONMENTS} worker threads / stack ${(workers / stack).toFixed(2)} (the throughput ratios when all fill the cores)`,
  );
}

/** CPU per request of every process during a run, by thread where Node names them; returns the total. */
function cpuReport({ target, result, cpu }: Run): number {
  const requests = Math.max(result.requests.total, 1);
  const perRequest = (ms: number) => (ms / requests).toFixed(2);
  const rows: (string | number)[][] = [['process', 'ms CPU per request', 'by thread']];
  let sum = 0;
  for (const [name, times] of cpu) {
    const total = times.get('total') ?? 0;
    if (total / requests < 0.005) continue;
    sum += total;
    const threads = [...times]
      .filter(([thread, ms]) => thread !== 'total' && ms / requests >= 0.05)
      .sort((a, b) => b[1] - a[1])
      .map(([thread, ms]) => `${thread} ${perRequest(ms)}`)
      .join(', ');
    rows.push([name, perRequest(total), threads]);
  }
  rows.push(['all of them', perRequest(sum), '']);
  console.log(`\nCPU per request, ${target}, 100 connections (/proc):`);
  console.log(table(rows));
  return sum / requests;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
