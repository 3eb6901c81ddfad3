/**
 * P7, small bundles (npm run bench:bundles, part of npm run bench): packages every service, then for each
 * function prints its zipped bundle size and its module initialisation time: a fresh Node process loads
 * the bundle with the function's environment (as the template sets it) and reaches its handler; the median
 * of 5. Baseline, measured in the same run: the same fresh process loading an empty module.
 * Goals: <= 500 KB and <= 100 ms, except functions with the sharp or DuckDB layer, listed apart. Each
 * function is judged on its wall time and, apart, on its CPU time: on a busy shared machine (the load
 * average is printed) the wall time is mostly waiting for a core, which the CPU time leaves out; on an
 * idle one the CPU time is the larger, since it counts every thread (V8 compiles and collects on helpers).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import JSZip from 'jszip';
import { percentile, table } from '../lib/stats';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const STAGE = 'bench';
const RUNS = 5;
const GOALS = { zippedBytes: 500 * 1024, initMs: 100 };

interface PackagedFunction {
  service: string;
  name: string;
  zip: string;
  handler: string;
  environment: Record<string, string>;
  /** A layer's modules are in /opt in Lambda: such a function is listed apart. */
  layered: boolean;
}

type Resource = { Type: string; Properties: Record<string, unknown> };

/** Every function of every service's packaged template, with its zip, handler and environment. */
async function packagedFunctions(): Promise<PackagedFunction[]> {
  const services = (await readdir(join(ROOT, 'services'), { withFileTypes: true }))
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name);
  const found: PackagedFunction[] = [];
  for (const service of services) {
    const build = join(ROOT, 'services', service, '.serverless');
    const template = JSON.parse(
      await readFile(join(build, 'cloudformation-template-update-stack.json'), 'utf8').catch(() => '{}'),
    ) as { Resources?: Record<string, Resource> };
    for (const resource of Object.values(template.Resources ?? {})) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const { Code, Handler, Environment, Layers, FunctionName } = resource.Properties as {
        Code: { S3Key?: string };
        Handler: string;
        Environment?: { Variables?: Record<string, unknown> };
        Layers?: unknown[];
        FunctionName: string;
      };
      if (typeof Code.S3Key !== 'string') continue;
      found.push({
        service,
        name: String(FunctionName).replace(/^serverless-patterns-[a-z-]+?-bench-/, ''),
        zip: join(build, Code.S3Key.split('/').pop() ?? ''),
        handler: Handler,
        environment: placeholders(Environment?.Variables ?? {}),
        layered: (Layers ?? []).length > 0,
      });
    }
  }
  return found;
}

/**
 * Values CloudFormation resolves at deploy time (Ref, GetAtt, ImportValue, Sub) become placeholders of the
 * right kind: an https address for issuers and URLs, an ARN-shaped name otherwise.
 */
function placeholders(variables: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const label = name.toLowerCase().replaceAll('_', '-');
      return [
        name,
        /(ISSUER|URL|URI|ENDPOINT)$/.test(name)
          ? `https://bench.example.com/${label}`
          : `arn:aws:bench:us-east-1:123456789012:${label}`,
      ];
    }),
  );
}

/** One fresh process: require the bundle, check the handler, print the milliseconds it took. */
const LOAD_SCRIPT = `
const started = performance.now();
const cpu = process.cpuUsage();
const loaded = require(process.argv[1]);
if (typeof loaded[process.argv[2]] !== 'function') throw new Error('no handler ' + process.argv[2]);
const used = process.cpuUsage(cpu);
process.stdout.write(JSON.stringify({ wall: performance.now() - started, cpu: (used.user + used.system) / 1000 }));
`;

interface InitTime {
  /** Wall-clock milliseconds: what a cold start waits for. */
  wall: number;
  /** CPU milliseconds: the same work, less sensitive to a busy shared machine. */
  cpu: number;
}

async function initMs(
  file: string,
  exportName: string,
  environment: Record<string, string>,
): Promise<InitTime> {
  const samples: InitTime[] = [];
  for (let attempt = 0; attempt < RUNS; attempt += 1) {
    const { stdout } = await run(process.execPath, ['-e', LOAD_SCRIPT, file, exportName], {
      env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1', ...environment },
      cwd: tmpdir(),
    });
    samples.push(JSON.parse(stdout) as InitTime);
  }
  return {
    wall: percentile(
      samples.map((sample) => sample.wall),
      50,
    ),
    cpu: percentile(
      samples.map((sample) => sample.cpu),
      50,
    ),
  };
}

async function main(): Promise<void> {
  console.log(`packaging every service for stage ${STAGE}...`);
  if (!process.argv.includes('--no-package'))
    await run('npm', ['run', '--silent', 'package', '--', '--stage', STAGE], {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
  const work = await mkdtemp(join(tmpdir(), 'bundles-'));
  try {
    const empty = join(work, 'empty.js');
    await writeFile(empty, 'exports.handler = () => {};\n');
    const baseline = await initMs(empty, 'handler', {});
    const rows: (string | number)[][] = [
      [
        'function',
        'zipped',
        'init wall (median of 5)',
        'init CPU',
        'wall x empty module',
        'goals (wall)',
        'goals (CPU)',
      ],
    ];
    const apart: (string | number)[][] = [
      ['function (with a layer)', 'zipped', 'init wall (median of 5)', 'init CPU'],
    ];
    let missed = 0;
    let missedOnCpu = 0;
    const failures: string[] = [];
    for (const fn of await packagedFunctions()) {
      const unpacked = join(work, fn.service, fn.name);
      await unzip(fn.zip, unpacked);
      const [modulePath, exportName] = splitHandler(fn.handler);
      const bytes = (await stat(fn.zip)).size;
      const label = `${fn.service}/${fn.name}`;
      const ms = await initMs(join(unpacked, `${modulePath}.js`), exportName, fn.environment).catch(
        (error: { stderr?: string }) => {
          // A function whose layer is missing here, or whose start-up needs a value only AWS resolves.
          failures.push(`${label}: ${lastLine(error.stderr ?? String(error))}`);
          return { wall: Number.NaN, cpu: Number.NaN };
        },
      );
      const size = `${(bytes / 1024).toFixed(0)} KB`;
      const wall = Number.isNaN(ms.wall) ? 'not loaded (below)' : `${ms.wall.toFixed(1)} ms`;
      const cpu = Number.isNaN(ms.cpu) ? '' : `${ms.cpu.toFixed(1)} ms`;
      if (fn.layered) {
        apart.push([label, size, wall, cpu]);
        continue;
      }
      const met = bytes <= GOALS.zippedBytes && ms.wall <= GOALS.initMs;
      const metOnCpu = bytes <= GOALS.zippedBytes && ms.cpu <= GOALS.initMs;
      if (!met) missed += 1;
      if (!metOnCpu) missedOnCpu += 1;
      rows.push([
        label,
        size,
        wall,
        cpu,
        (ms.wall / baseline.wall).toFixed(1),
        met ? 'met' : 'NOT met',
        metOnCpu ? 'met' : 'NOT met',
      ]);
    }
    console.log(
      `\nP7, small bundles. Baseline: an empty module loads in ${baseline.wall.toFixed(2)} ms ` +
        `(median of ${RUNS}); load average ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores.`,
    );
    console.log(`Goals: <= ${GOALS.zippedBytes / 1024} KB zipped and <= ${GOALS.initMs} ms init.\n`);
    console.log(table(rows));
    const count = rows.length - 1;
    console.log(
      `\n${count - missed} of ${count} functions meet both goals on wall time, ` +
        `${count - missedOnCpu} of ${count} on CPU time.\n`,
    );
    console.log(table(apart));
    if (failures.length > 0) console.log(`\nnot loaded:\n${failures.join('\n')}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function lastLine(text: string): string {
  const lines = text.split('\n').filter((line) => /Error|Cannot find/.test(line));
  return (lines[0] ?? text.split('\n')[0] ?? '').slice(0, 200);
}

/** The zip as Lambda unpacks it into /var/task. */
async function unzip(zip: string, into: string): Promise<void> {
  const archive = await JSZip.loadAsync(await readFile(zip));
  for (const entry of Object.values(archive.files)) {
    if (entry.dir) continue;
    const target = join(into, entry.name);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await entry.async('nodebuffer'));
  }
}

/** `src/handlers/get-device.handler` -> [`src/handlers/get-device`, `handler`]. */
function splitHandler(handler: string): [string, string] {
  const dot = handler.lastIndexOf('.');
  return [handler.slice(0, dot), handler.slice(dot + 1)];
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
