import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CloudFormationTemplate } from '../templates/stack';
import { oslsCommand, type ServiceDefinition } from './layout';

export interface PackagedService extends ServiceDefinition {
  /** The service name from serverless.yml (serverless-patterns-api). */
  name: string;
  stage: string;
  template: CloudFormationTemplate;
}

/**
 * `sls package` for each service into the local build folder, so that what runs locally is what
 * would be deployed. Two at a time: packaging is CPU-bound (esbuild) and machines here have two cores.
 */
export async function packageServices(
  services: ServiceDefinition[],
  options: {
    stage: string;
    buildDir: string;
    env: NodeJS.ProcessEnv;
    /** Stage parameters, as `sls package --param "name=value"` takes them (`${param:name}`). */
    params?: Record<string, string>;
    signal?: AbortSignal;
    measure?: (name: string, work: () => Promise<unknown>) => Promise<unknown>;
  },
): Promise<PackagedService[]> {
  const [node, args] = oslsCommand();
  const paramArgs = Object.entries(options.params ?? {}).flatMap(([name, value]) => [
    '--param',
    `${name}=${value}`,
  ]);
  const queue = [...services];
  const packaged = new Map<string, PackagedService>();
  const worker = async () => {
    for (let service = queue.shift(); service; service = queue.shift()) {
      const output = join(options.buildDir, service.key);
      const key = service.key;
      await (options.measure ?? ((_name: string, work: () => Promise<unknown>) => work()))(
        `package ${key}`,
        () =>
          promisify(execFile)(
            node,
            [...args, 'package', '--stage', options.stage, '--package', output, ...paramArgs],
            {
              cwd: service.path,
              env: options.env,
              maxBuffer: 16 * 1024 * 1024,
              // Aborting kills the packaging under way (Ctrl-C during start-up).
              ...(options.signal ? { signal: options.signal } : {}),
            },
          ).catch((error: Error & { stdout?: string; stderr?: string }) => {
            throw new Error(`packaging ${key} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`, {
              cause: error,
            });
          }),
      );
      const template = JSON.parse(
        await readFile(join(output, 'cloudformation-template-update-stack.json'), 'utf8'),
      ) as CloudFormationTemplate;
      const state = JSON.parse(await readFile(join(output, 'serverless-state.json'), 'utf8')) as {
        service: { service: string };
      };
      packaged.set(service.key, { ...service, name: state.service.service, stage: options.stage, template });
    }
  };
  await Promise.all([worker(), worker()]);
  return services.map((service) => packaged.get(service.key) as PackagedService);
}
