import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudDescription } from '../src/cloud/cloud-description';
import { type CloudProcess, startCloudProcess } from '../src/cloud/cloud-process';
import { localPaths, REPO_ROOT } from '../src/cloud/layout';

/**
 * One local cloud for every integration suite of a test run: started as the run begins when a suite
 * said it will use it (willUseLocalCloud), else by the first suite that asks for it (so a run of unit
 * tests starts nothing), stopped by the root afterAll hook, and checked to leave no process behind. It runs as `npm start` would, in a child process, with its own state
 * folder, the fixture service of local/test, and shortened asynchronous retry delays.
 */
export interface TestCloud {
  description: CloudDescription;
  /** Where the fixture service writes what it received, one file per function. */
  recordingsDir: string;
  /** The functions' EMF lines, as the cloud collects them (CloudWatch metrics). */
  metricsFile: string;
  /** Every event the fixture function received so far. */
  recordings(functionKey: string): Promise<Record<string, unknown>[]>;
  /** Polls `read` until `done` holds (or fails after `timeoutMs`), and returns the last value. */
  eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs?: number): Promise<T>;
  env: Record<string, string>;
}

/** The fixture service of local/test, whose functions record what they receive. */
const FIXTURE_SERVICE = join(REPO_ROOT, 'local', 'test', 'fixture-service');
let starting: Promise<TestCloud> | undefined;
let running: CloudProcess | undefined;
let stateDir: string | undefined;
export const startedPids: number[] = [];
export const startedPorts: number[] = [];

let wanted = false;

export function useLocalCloud(): Promise<TestCloud> {
  starting ??= start();
  return starting;
}

/**
 * Says, while the test files load, that a suite of this run will use the local cloud: the root hooks
 * then start it as the run begins, so that it starts while the suites before that one run rather
 * than after them. A run of unit suites alone starts nothing.
 */
export function willUseLocalCloud(): void {
  wanted = true;
}

/** Starts the cloud in the background if a suite said it will use it; its first `useLocalCloud()` waits for it. */
export function startLocalCloudIfWanted(): void {
  // A failed start is reported to the suites that use it, by the promise they await.
  if (wanted) useLocalCloud().catch(() => undefined);
}

async function start(): Promise<TestCloud> {
  stateDir = await mkdtemp(join(tmpdir(), 'local-cloud-test-'));
  const recordingsDir = join(stateDir, 'recordings');
  running = await startCloudProcess({
    stateDir,
    extraServices: [FIXTURE_SERVICE],
    env: { FIXTURE_RECORDINGS_DIR: recordingsDir },
    retryDelayScale: 0.005,
    // Firehose buffers of a second instead of a minute: the clicks reach the lake while a test waits.
    // Telemetry windows of 3 s instead of a minute: aggregates and alerts arrive while a test waits.
    params: { clicksBufferSeconds: '1', telemetryWindowSeconds: '3' },
  });
  const { description } = running;
  startedPids.push(...description.processes.map((process) => process.pid));
  const urls = [
    ...Object.values(description.endpoints),
    description.controlUrl,
    ...(description.portalUrl ? [description.portalUrl] : []),
    ...Object.values(description.services).flatMap((service) => [
      ...(service.apiUrl === undefined ? [] : [service.apiUrl]),
      ...(service.lambdaEndpoint === undefined ? [] : [service.lambdaEndpoint]),
    ]),
  ];
  startedPorts.push(...urls.map((url) => Number(new URL(url).port)));
  // Every suite may use every emulator: one that could not start fails the run, with its reason.
  if (description.skipped.length > 0) {
    const reasons = description.skipped.map(({ name, reason }) => `${name}: ${reason}`).join('\n');
    throw new Error(`the local cloud started without some emulators:\n${reasons}`);
  }
  const cloud: TestCloud = {
    description,
    recordingsDir,
    metricsFile: join(localPaths(REPO_ROOT, stateDir).metrics, 'metrics.jsonl'),
    env: description.environment,
    async recordings(functionKey) {
      const file = join(recordingsDir, `${functionKey}.jsonl`);
      if (!existsSync(file)) return [];
      return (await readFile(file, 'utf8'))
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    eventually,
  };
  return cloud;
}

/**
 * Polls `read` until `done` holds for its value, or `timeoutMs` has passed, and returns the last
 * value: time is only what a test allows the cloud; its assertions are made on the value.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await sleep(100);
  }
}

/** Stops the cloud as Ctrl-C would, and waits for its process to exit. */
export async function stopLocalCloud(): Promise<void> {
  if (starting === undefined) return;
  await starting.catch(() => undefined);
  await running?.stop();
  running = undefined;
  starting = undefined;
  if (stateDir) await rm(stateDir, { recursive: true, force: true });
}

export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
