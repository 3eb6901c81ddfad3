import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CloudProcess, removeBundles, startCloudProcess } from '@serverless-patterns/local/testing';
import { measureProcessCpu } from '../lib/process-cpu';
import { percentile, table } from '../lib/stats';

/**
 * `npm start` to ready (cloud.json written), as people meet it, RUNS times each:
 * - fresh: a state folder never used, so every service is packaged and every emulator starts empty;
 * - unchanged: the same folder again with nothing changed since, so every packaging and the data are
 *   reused (what a second `npm start` of the day costs).
 * The baseline is the fresh start of the same run. On a shared machine the figures move with the
 * load, so the load average before each start is printed beside it.
 * Then, on the last start, the CPU the whole cloud (every process it started) uses while nothing
 * happens: its event source mappings polling their streams and queues, its emulators waiting.
 */
const RUNS = Number(process.env.BENCH_STARTS ?? 3);
const GOALS = { fresh: 45_000, unchanged: 15_000, idleShare: 0.05 };
/** Start-up work ends, and quiet shards slow their polling down, before the idle window opens. */
const IDLE_SETTLE_MS = 10_000;
const IDLE_WINDOW_MS = Number(process.env.BENCH_IDLE_MS ?? 30_000);

interface Start {
  kind: 'fresh' | 'unchanged';
  ms: number;
  load: number;
}

async function main() {
  const starts: Start[] = [];
  const stateDirs: string[] = [];
  try {
    for (let run = 0; run < RUNS; run++) {
      const stateDir = await mkdtemp(join(tmpdir(), 'bench-startup-'));
      stateDirs.push(stateDir);
      starts.push(await timeStart('fresh', stateDir, { keepBundles: run === 0 }));
    }
    // The first fresh start's folder, started again and again with nothing changed; the last one idles.
    for (let run = 0; run < RUNS; run++) {
      const last = run === RUNS - 1;
      starts.push(
        await timeStart('unchanged', stateDirs[0] as string, {
          keepBundles: !last,
          ...(last ? { whileRunning: measureIdle } : {}),
        }),
      );
    }
  } finally {
    for (const dir of stateDirs) {
      await removeBundles(dir);
      await rm(dir, { recursive: true, force: true });
    }
  }
  const median = (kind: Start['kind']) =>
    percentile(
      starts.filter((start) => start.kind === kind).map((start) => start.ms),
      50,
    );
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`startup: npm start -> ready, ${RUNS} starts each (${availableParallelism()} cores)`);
  console.log(
    table([
      ['start', 'each (load average before it)', 'median', 'goal', 'ratio to fresh'],
      ...(['fresh', 'unchanged'] as const).map((kind) => [
        kind,
        starts
          .filter((start) => start.kind === kind)
          .map((start) => `${seconds(start.ms)} (${start.load.toFixed(1)})`)
          .join(', '),
        seconds(median(kind)),
        `<= ${seconds(GOALS[kind])}`,
        `${(median(kind) / median('fresh')).toFixed(2)}x`,
      ]),
    ]),
  );
}

async function timeStart(
  kind: Start['kind'],
  stateDir: string,
  {
    keepBundles,
    whileRunning,
  }: { keepBundles: boolean; whileRunning?: (cloud: CloudProcess) => Promise<void> },
): Promise<Start> {
  const load = loadavg()[0] as number;
  const cloud = await startCloudProcess({ stateDir, fresh: kind === 'fresh' });
  try {
    await whileRunning?.(cloud);
  } finally {
    await cloud.stop({ keepBundles });
  }
  return { kind, ms: cloud.startupMs, load };
}

async function measureIdle(cloud: CloudProcess): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
  const load = loadavg()[0] as number;
  const { description } = cloud;
  const idle = await measureProcessCpu(
    [{ pid: description.pid, name: 'local cloud' }, ...description.processes],
    IDLE_WINDOW_MS,
  );
  const percent = (share: number) => `${(share * 100).toFixed(1)} %`;
  const met = idle.total < GOALS.idleShare ? 'met' : 'NOT met';
  console.log(
    `idle CPU of the whole cloud (npm start, every process it started) over ${IDLE_WINDOW_MS / 1000} s: ` +
      `${percent(idle.total)} of one core (goal < ${percent(GOALS.idleShare)}: ${met}); load average ${load.toFixed(1)}`,
  );
  console.log(
    table([
      ['process', 'share of one core'],
      ...idle.processes.slice(0, 5).map((process) => [process.name, percent(process.share)]),
    ]),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
