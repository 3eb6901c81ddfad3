import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findFreePort, isPortOpen, type RunningEmulator, startChildEmulator } from '../emulators/emulator';
import { oslsCommand } from './layout';
import type { PackagedService } from './package-services';

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
    preferredPort?: number;
    log?: (line: string) => void;
  },
): Promise<RunningService> {
  const httpPort = await findFreePort(options.preferredPort);
  const lambdaPort = await findFreePort(
    options.preferredPort === undefined ? undefined : options.preferredPort + 1,
  );
  const websocketPort = await findFreePort();
  const albPort = await findFreePort();
  const environmentFile = join(options.buildDir, `${service.key}.environment.json`);
  await writeFile(environmentFile, JSON.stringify(options.functionEnvironments, null, 2));
  const [node, args] = oslsCommand();
  const fixes = join(import.meta.dirname, 'offline-fixes.mjs');
  const running = await startChildEmulator({
    name: `${service.key} (serverless-offline)`,
    port: lambdaPort,
    spawn: {
      command: node,
      args: [
        '--import',
        fixes,
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
      env: { ...options.env, RESOLVED_ENVIRONMENT_FILE: environmentFile },
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
