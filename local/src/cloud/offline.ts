import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isPortOpen, type RunningEmulator, startChildEmulator } from '../emulators/emulator';
import { oslsCommand, REPO_ROOT } from './layout';
import type { PackagedService } from './package-services';

/** Loaded into every osls process the local cloud runs (node --import): offline-fixes/patches.ts. */
export const OFFLINE_FIXES_HOOK = join(import.meta.dirname, 'offline-fixes.mjs');

/**
 * What every osls process of the local cloud runs with: Node's compile cache, shared by them all and
 * kept between start-ups, so that loading osls and its plugins compiles them once rather than at each
 * start (https://nodejs.org/api/module.html#module-compile-cache).
 */
export function oslsEnvironment(root = REPO_ROOT): Record<string, string> {
  return { NODE_COMPILE_CACHE: join(root, 'node_modules', '.cache', 'local-cloud', 'node-compile-cache') };
}

export interface RunningService extends RunningEmulator {
  apiUrl: string;
  lambdaEndpoint: string;
}

/**
 * One serverless-offline process per service: API Gateway on `httpPort`, the Lambda Invoke API on
 * `lambdaPort`. Function environments come resolved from the packaged template (see
 * shared/serverless-plugin), so handlers see the same variables as in AWS. offline-fixes.mjs corrects
 * serverless-offline where it differs from AWS (offline-fixes/patches.ts): methodArn, the authorizer
 * result cache, warm execution environments (at most LOCAL_LAMBDA_CONCURRENCY per function, from
 * `env`; default two per core) and raw request bodies.
 */
export async function startOfflineService(
  service: PackagedService,
  options: {
    functionEnvironments: Record<string, Record<string, string>>;
    env: NodeJS.ProcessEnv;
    buildDir: string;
    /** A free port, the preferred one when it is free: API Gateway's and then Lambda's. */
    freePort: (preferred?: number) => Promise<number>;
    preferredPort?: number;
    log?: (line: string) => void;
  },
): Promise<RunningService> {
  const { freePort, preferredPort } = options;
  const httpPort = await freePort(preferredPort);
  const lambdaPort = await freePort(preferredPort === undefined ? undefined : preferredPort + 1);
  const websocketPort = await freePort();
  const albPort = await freePort();
  const environmentFile = join(options.buildDir, `${service.key}.environment.json`);
  await writeFile(environmentFile, JSON.stringify(options.functionEnvironments, null, 2));
  const [node, args] = oslsCommand();
  const running = await startChildEmulator({
    name: `${service.key} (serverless-offline)`,
    port: lambdaPort,
    spawn: {
      command: node,
      args: [
        '--import',
        OFFLINE_FIXES_HOOK,
        ...args,
        'offline',
        'start',
        '--stage',
        service.stage,
        '--host',
        '127.0.0.1',
        '--httpPort',
        String(httpPort),
        '--lambdaPort',
        String(lambdaPort),
        '--websocketPort',
        String(websocketPort),
        '--albPort',
        String(albPort),
        // Base paths are mapped per service (custom domain in AWS, front door locally), never the stage.
        '--noPrependStageInUrl',
      ],
      cwd: service.path,
      env: {
        ...options.env,
        ...oslsEnvironment(),
        RESOLVED_ENVIRONMENT_FILE: environmentFile,
        // The packaged bundles, rather than bundling every function again (offline-fixes/patches.ts).
        ...(service.bundlesDir ? { LOCAL_CLOUD_PREBUILT_BUNDLES: 'true' } : {}),
      },
      ...(options.log ? { log: options.log } : {}),
    },
    ready: async () => {
      while (!(await isPortOpen(lambdaPort))) await new Promise((resolve) => setTimeout(resolve, 100));
    },
    // Bundling every handler with esbuild comes first.
    timeoutMs: 120_000,
  });
  return {
    ...running,
    apiUrl: `http://127.0.0.1:${httpPort}`,
    lambdaEndpoint: `http://127.0.0.1:${lambdaPort}`,
  };
}
