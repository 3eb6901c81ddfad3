import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { load } from 'js-yaml';

/** The repository root: local/src/cloud -> ../../.. */
export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');

/**
 * Where the local cloud keeps its state: `.local/` (git-ignored) by default; tests use a temporary
 * folder so that they never meet a cloud someone started with `npm start`.
 */
export function localPaths(root = REPO_ROOT, stateDir?: string) {
  const base = stateDir ?? join(root, '.local');
  return {
    base,
    data: join(base, 'data'),
    build: join(base, 'build'),
    cloudFile: join(base, 'cloud.json'),
    lockFile: join(base, 'cloud.pid'),
    metrics: join(base, 'metrics'),
    /** Every line the functions wrote, one JSON document per line (npm run logs). */
    logs: join(base, 'logs'),
  };
}

export interface ServiceDefinition {
  /** The compose key: api, catalog, ... */
  key: string;
  /** The folder with the service's serverless.yml. */
  path: string;
}

/** The services of serverless-compose.yml, in its order (catalog exports before clickstream imports). */
export function composeServices(root = REPO_ROOT): ServiceDefinition[] {
  const compose = load(readFileSync(join(root, 'serverless-compose.yml'), 'utf8')) as {
    services: Record<string, { path: string }>;
  };
  return Object.entries(compose.services).map(([key, { path }]) => ({ key, path: join(root, path) }));
}

/** Runs osls from the repository's own node_modules, with the Node that runs the local cloud. */
export function oslsCommand(root = REPO_ROOT): [string, string[]] {
  return [process.execPath, [join(root, 'node_modules', 'osls', 'bin', 'serverless.js')]];
}
