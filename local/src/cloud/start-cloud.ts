import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { EMULATORS } from '../emulators/registry';
import { createLocalClients } from './clients';
import type { CloudDescription } from './cloud-description';
import { composeServices, localPaths, REPO_ROOT, type ServiceDefinition } from './layout';
import { describeCloud } from './phases/describe';
import { startEmulators } from './phases/emulators';
import { startFunctions } from './phases/functions';
import { startPackaging } from './phases/package';
import { provisionStacks } from './phases/provision';
import { type CloudSettings, createPortBook, createTeardown } from './phases/settings';
import { createStartTimings, type StartTimings } from './phases/timings';
import { wireTriggers } from './phases/triggers';
import { watchForRestart } from './restart-notices';

export interface StartCloudOptions {
  root?: string;
  /** Defaults to .local; tests pass a temporary folder. */
  stateDir?: string;
  /** Start empty: remove the persisted data first. */
  fresh?: boolean;
  stage?: string;
  /** Defaults to the services of serverless-compose.yml; tests add their fixture service. */
  services?: ServiceDefinition[];
  /**
   * Multiplies Lambda's asynchronous retry delays (1 = AWS's one and two minutes) and Step Functions'
   * Retry intervals (1 = the definition's IntervalSeconds, BackoffRate and MaxDelaySeconds).
   */
  retryDelayScale?: number;
  /** Stage parameters for every service, as `sls deploy --param "name=value"` takes them. */
  params?: Record<string, string>;
  /** Aborted during start-up (Ctrl-C), the start stops what it started so far and rejects. */
  signal?: AbortSignal;
  log?: (line: string) => void;
  /**
   * What a person should know while the cloud runs, even without --verbose: a serverless.yml changed
   * and needs a restart (restart-notices.ts). Defaults to `log`.
   */
  notify?: (line: string) => void;
}

export interface RunningCloud {
  description: CloudDescription;
  /** Each step of the start-up: `npm start -- --timings` prints them. */
  timings: StartTimings;
  stop(): Promise<void>;
}

/**
 * Brings the whole platform up on loopback, phase by phase (cloud/phases/): the services packaged
 * while the emulators start, the templates provisioned, one serverless-offline per service, the
 * triggers wired with AWS semantics, and the cloud described. A saved source runs from the next
 * invocation on (hot reload); a changed serverless.yml is named as needing a restart. Everything
 * started is stopped by `stop()`, in reverse order, even when start-up fails half way or is aborted.
 */
export async function startCloud(options: StartCloudOptions = {}): Promise<RunningCloud> {
  const settings = cloudSettings(options);
  const teardown = createTeardown(settings.log);
  try {
    if (options.fresh) await rm(settings.paths.data, { recursive: true, force: true });
    await mkdir(settings.paths.data, { recursive: true });
    await mkdir(settings.paths.build, { recursive: true });
    const services = options.services ?? composeServices(settings.root);

    const { measure } = settings.timings;
    const packaging = measure('package', () => startPackaging(settings, services));
    packaging.catch(() => undefined);
    const emulators = await measure('emulators', () => startEmulators(settings, EMULATORS, teardown));
    settings.signal?.throwIfAborted();
    const clients = createLocalClients(emulators.endpoints);
    const packaged = await packaging;
    const { stacks, warnings } = await measure('provision', () =>
      provisionStacks(settings, packaged, emulators, clients),
    );
    const functions = await measure('functions', () =>
      startFunctions(settings, { packaged, stacks, emulators, clients, warnings }, teardown),
    );
    const { controlUrl } = await measure('triggers', () =>
      wireTriggers(settings, { stacks, emulators, clients, functions, warnings }, teardown),
    );
    const description = await measure('describe', () =>
      describeCloud(settings, { packaged, stacks, emulators, functions, controlUrl, warnings }, teardown),
    );
    const stopWatching = watchForRestart({
      root: settings.root,
      services,
      notify: options.notify ?? settings.log,
    });
    teardown.add(async () => stopWatching());
    return { description, timings: settings.timings, stop: teardown.stopAll };
  } catch (error) {
    await teardown.stopAll();
    throw error;
  }
}

function cloudSettings(options: StartCloudOptions): CloudSettings {
  const root = options.root ?? REPO_ROOT;
  const paths = localPaths(root, options.stateDir);
  const ownStateDir = options.stateDir !== undefined;
  const preferredPort = (port: number) => (ownStateDir ? undefined : port);
  return {
    root,
    stage: options.stage ?? 'local',
    paths,
    preferredPort,
    freePort: createPortBook(preferredPort),
    esbuildWorkFolder: ownStateDir ? `.esbuild-${basename(paths.base)}` : '.esbuild',
    params: options.params ?? {},
    retryDelayScale: options.retryDelayScale ?? 1,
    ...(options.signal ? { signal: options.signal } : {}),
    log: options.log ?? (() => undefined),
    timings: createStartTimings(),
    iamProofSecret: randomBytes(32).toString('base64url'),
  };
}
