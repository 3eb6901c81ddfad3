import { execFile } from 'node:child_process';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CloudFormationTemplate } from '../templates/stack';
import { oslsCommand, type ServiceDefinition } from './layout';
import { OFFLINE_FIXES_HOOK, oslsEnvironment } from './offline';
import { packagingInputsHash } from './package-inputs';
import type { StartTimings } from './phases/timings';

export interface PackagedService extends ServiceDefinition {
  /** The service name from serverless.yml (serverless-patterns-api). */
  name: string;
  stage: string;
  template: CloudFormationTemplate;
  /**
   * The bundles this packaging built (serverless-esbuild's build folder), for serverless-offline to
   * run rather than bundle again; undefined when they were not kept.
   */
  bundlesDir?: string;
  /** Nothing the packaging reads had changed since an earlier one, whose template and bundles are reused. */
  reused: boolean;
}

export interface PackagingOptions {
  root: string;
  stage: string;
  /** The `--package` folders go here, one per service, with what each was packaged from. */
  buildDir: string;
  env: NodeJS.ProcessEnv;
  /** serverless-esbuild's work folder, relative to each service (ESBUILD_WORK_FOLDER). */
  workFolder: string;
  /** Stage parameters, as `sls package --param "name=value"` takes them (`${param:name}`). */
  params: Readonly<Record<string, string>>;
  signal?: AbortSignal;
}

/** What an earlier packaging of a service was made from, beside its `--package` folder. */
interface PackagingRecord {
  inputs: string;
}

/**
 * `sls package` of one service into the local build folder, so that what runs locally is what would
 * be deployed; or, when nothing it reads has changed since the last one (packagingInputsHash), that
 * packaging's template and bundles. serverless-esbuild keeps its bundles for serverless-offline
 * (LOCAL_CLOUD_KEEP_BUNDLES, offline-fixes/patches.ts), which then runs them rather than bundling every
 * function again.
 */
export async function packageService(
  service: ServiceDefinition,
  options: PackagingOptions,
): Promise<PackagedService> {
  const output = join(options.buildDir, service.key);
  const recordFile = `${output}.inputs.json`;
  const bundlesDir = join(service.path, options.workFolder, '.build');
  const env = {
    ...options.env,
    ...oslsEnvironment(options.root),
    ESBUILD_WORK_FOLDER: options.workFolder,
    LOCAL_CLOUD_KEEP_BUNDLES: 'true',
  };
  const inputs = await packagingInputsHash(service, { ...options, env });
  const reused = await isCurrent(recordFile, inputs, output, bundlesDir);
  if (!reused) {
    await rm(recordFile, { force: true });
    await runPackage(service, output, { ...options, env });
  }
  const template = JSON.parse(
    await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as CloudFormationTemplate;
  const state = JSON.parse(await readFile(join(output, 'serverless-state.json'), 'utf8')) as {
    service: { service: string };
  };
  const bundled = await exists(bundlesDir);
  // Written last: a packaging that fails or is stopped half way is never reused.
  if (!reused && bundled) await writeFile(recordFile, JSON.stringify({ inputs } satisfies PackagingRecord));
  return {
    ...service,
    name: state.service.service,
    stage: options.stage,
    template,
    ...(bundled ? { bundlesDir } : {}),
    reused,
  };
}

/**
 * Every service packaged (or reused), two at a time: packaging is CPU-bound (esbuild) and machines here
 * have two cores. `measure` times each service's.
 */
export async function packageServices(
  services: readonly ServiceDefinition[],
  options: PackagingOptions & { measure?: StartTimings['measure'] },
): Promise<PackagedService[]> {
  const measure = options.measure ?? ((_name, work) => work(() => undefined));
  const queue = [...services];
  const packaged = new Map<string, PackagedService>();
  const worker = async () => {
    for (let service = queue.shift(); service; service = queue.shift()) {
      const { key } = service;
      const result = await measure(`package ${key}`, async (note) => {
        const done = await packageService(service, options);
        note(done.reused ? 'unchanged, reused' : 'packaged');
        return done;
      });
      packaged.set(key, result);
    }
  };
  await Promise.all([worker(), worker()]);
  return services.map((service) => packaged.get(service.key) as PackagedService);
}

async function runPackage(service: ServiceDefinition, output: string, options: PackagingOptions) {
  const [node, args] = oslsCommand(options.root);
  const paramArgs = Object.entries(options.params).flatMap(([name, value]) => [
    '--param',
    `${name}=${value}`,
  ]);
  await promisify(execFile)(
    node,
    [
      '--import',
      OFFLINE_FIXES_HOOK,
      ...args,
      'package',
      '--stage',
      options.stage,
      '--package',
      output,
      ...paramArgs,
    ],
    {
      cwd: service.path,
      env: options.env,
      maxBuffer: 16 * 1024 * 1024,
      // Aborting kills the packaging under way (Ctrl-C during start-up).
      ...(options.signal ? { signal: options.signal } : {}),
    },
  ).catch((error: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`packaging ${service.key} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`, {
      cause: error,
    });
  });
}

/**
 * Whether the last packaging was made from these inputs and is all there: its template, and its bundles
 * as it left them (serverless-offline rebuilds them when a source changes: then they are newer).
 */
async function isCurrent(recordFile: string, inputs: string, output: string, bundlesDir: string) {
  const record = await readFile(recordFile, 'utf8')
    .then((text) => JSON.parse(text) as PackagingRecord)
    .catch(() => undefined);
  if (record?.inputs !== inputs) return false;
  if (!(await exists(join(output, 'cloudformation-template-update-stack.json')))) return false;
  const recordedAt = (await stat(recordFile)).mtimeMs;
  const bundles = await readdir(bundlesDir, { recursive: true, withFileTypes: true }).catch(() => undefined);
  if (bundles === undefined || bundles.length === 0) return false;
  for (const entry of bundles) {
    if (!entry.isFile()) continue;
    if ((await stat(join(entry.parentPath, entry.name))).mtimeMs > recordedAt) return false;
  }
  return true;
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
