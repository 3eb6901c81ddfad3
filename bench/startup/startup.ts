import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeBundles, startCloudProcess } from '@serverless-patterns/local/testing';
import { percentile, table } from '../lib/stats';

/**
 * `npm start` to ready (cloud.json written), as people meet it, RUNS times each:
 * - fresh: a state folder never used, so every service is packaged and every emulator starts empty;
 * - unchanged: the same folder again with nothing changed since, so every packaging and the data are
 *   reused (what a second `npm start` of the day costs).
 * The baseline is the fresh start of the same run. On a shared machine the figures move with the
 * load, so the load average before each start is printed beside it.
 */
const RUNS = Number(process.env.BENCH_STARTS ?? 3);
const GOALS = { fresh: 45_000, unchanged: 15_000 };

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
    // The first fresh start's folder, started again and again with nothing changed.
    for (let run = 0; run < RUNS; run++) {
      starts.push(await timeStart('unchanged', stateDirs[0] as string, { keepBundles: run < RUNS - 1 }));
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
  { keepBundles }: { keepBundles: boolean },
): Promise<Start> {
  const load = loadavg()[0] as number;
  const cloud = await startCloudProcess({ stateDir, fresh: kind === 'fresh' });
  await cloud.stop({ keepBundles });
  return { kind, ms: cloud.startupMs, load };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
