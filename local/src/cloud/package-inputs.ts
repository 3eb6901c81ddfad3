import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { ServiceDefinition } from './layout';

/**
 * Folders that never reach a package: dependencies, tests, and build outputs (every name that starts
 * with a dot: .esbuild, .serverless, .sharp-layer...).
 */
const NOT_INPUTS = new Set(['node_modules', 'test']);

/** Files of the repository root that every packaging reads: settings, the lock file, the compiler's settings. */
const ROOT_INPUTS = ['serverless.common.yml', 'package-lock.json', 'tsconfig.base.json'];

/**
 * A content hash of everything `sls package` of a service reads: its serverless.yml and sources (the
 * local plugins among them), serverless.common.yml, the shared library's sources, the workspace's lock
 * file (every dependency's version, Node's and the plugins' included), the stage and its parameters,
 * and the environment variables its serverless.yml files name (`${env:NAME}`). Two packagings with the
 * same hash produce the same template and the same bundles.
 */
export async function packagingInputsHash(
  service: ServiceDefinition,
  options: {
    root: string;
    stage: string;
    params: Readonly<Record<string, string>>;
    /** The packaging's environment: the values of the variables serverless.yml reads. */
    env: NodeJS.ProcessEnv;
    /** serverless-esbuild's work folder, where the bundles are kept. */
    workFolder: string;
  },
): Promise<string> {
  const hash = createHash('sha256');
  const files = [
    ...ROOT_INPUTS.map((name) => join(options.root, name)),
    ...(await inputFiles(join(options.root, 'shared'))),
    ...(await inputFiles(service.path)),
  ];
  const variables = new Set<string>();
  for (const file of files) {
    const content = await readFile(file).catch(() => undefined);
    hash.update(`${relative(options.root, file)}\0${content === undefined ? 'missing' : content.length}\0`);
    if (content === undefined) continue;
    hash.update(content);
    if (file.endsWith('.yml')) {
      for (const [, name] of content.toString('utf8').matchAll(/\$\{env:([A-Za-z0-9_]+)/g))
        variables.add(name as string);
    }
  }
  const params = Object.entries(options.params).sort(([a], [b]) => a.localeCompare(b));
  const environment = [...variables].sort().map((name) => [name, options.env[name] ?? null]);
  hash.update(JSON.stringify({ stage: options.stage, params, environment, workFolder: options.workFolder }));
  return hash.digest('hex');
}

/** Every file under `dir` that can reach a package, in a stable order. */
async function inputFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || NOT_INPUTS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await inputFiles(path)));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}
