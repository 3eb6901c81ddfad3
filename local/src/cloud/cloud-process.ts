import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type CloudDescription, readCloudDescription } from './cloud-description';
import { composeServices, localPaths, REPO_ROOT } from './layout';

export interface CloudProcess {
  description: CloudDescription;
  /** From spawning `npm start`'s script to `.local/cloud.json` being written. */
  startupMs: number;
  /**
   * SIGTERM, as Ctrl-C; resolves once the process has exited (SIGKILL after 30 s) and the bundles
   * of this cloud's own esbuild work folders are removed, unless `keepBundles` keeps them for a next
   * start with the same state folder (which then reuses its packaging).
   */
  stop(options?: { keepBundles?: boolean }): Promise<void>;
  /**
   * SIGKILL to the cloud and to every process it started, at once, as a crash or a power cut of the
   * laptop would: nothing is stopped gracefully, and the state folder is left as it was (a later
   * start with `fresh: false` finds it).
   */
  kill(): Promise<void>;
}

/**
 * Runs the local cloud in a child process exactly as `npm start` does, for tests and benchmarks:
 * with its own state folder, extra services (fixtures) and options.
 */
export async function startCloudProcess(options: {
  stateDir: string;
  /** Start with empty data (the default), as `npm start -- --fresh`; false keeps the state folder's. */
  fresh?: boolean;
  extraServices?: string[];
  env?: NodeJS.ProcessEnv;
  retryDelayScale?: number;
  /** Stage parameters for every service (`npm start -- --param name=value`). */
  params?: Record<string, string>;
  timeoutMs?: number;
}): Promise<CloudProcess> {
  const paths = localPaths(REPO_ROOT, options.stateDir);
  const args = [
    '--import',
    'tsx',
    join(REPO_ROOT, 'local', 'src', 'cli', 'start.ts'),
    ...(options.fresh === false ? [] : ['--fresh']),
    '--state-dir',
    options.stateDir,
  ];
  for (const service of options.extraServices ?? []) args.push('--extra-service', service);
  for (const [name, value] of Object.entries(options.params ?? {})) args.push('--param', `${name}=${value}`);
  if (options.retryDelayScale !== undefined)
    args.push('--retry-delay-scale', String(options.retryDelayScale));
  // A cloud that was killed leaves its description behind: this one is ready when it writes its own.
  await rm(paths.cloudFile, { force: true });
  const startedAt = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr])
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const stop = async ({ keepBundles = false } = {}) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    if (!keepBundles) await removeBundles(options.stateDir, options.extraServices);
  };
  const deadline = startedAt + (options.timeoutMs ?? 240_000);
  while (!existsSync(paths.cloudFile)) {
    const state = await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 100, 'running'))]);
    if (state !== 'running')
      throw new Error(`the local cloud exited (${String(state)}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the local cloud was not ready in time:\n${output}`);
    }
  }
  const startupMs = Date.now() - startedAt;
  const description = await readCloudDescription(paths.cloudFile);
  const kill = async () => {
    for (const { pid } of [...description.processes].reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    await exited;
  };
  return { description, startupMs, stop, kill };
}

/**
 * A cloud with its own state folder bundles into `.esbuild-<folder name>` in every service
 * (start-cloud.ts); removes them once nobody will start that cloud again.
 */
export async function removeBundles(stateDir: string, extraServices: readonly string[] = []): Promise<void> {
  const workFolder = `.esbuild-${basename(localPaths(REPO_ROOT, stateDir).base)}`;
  const serviceDirs = [...composeServices().map((service) => service.path), ...extraServices];
  await Promise.all(serviceDirs.map((dir) => rm(join(dir, workFolder), { recursive: true, force: true })));
}
