import { createServer } from 'node:http';
import { join } from 'node:path';
import { AwsJsonError, writeAwsJsonError } from '../../emulators/aws-json';
import { endpointFor, type RunningEmulator, serveOnLoopback } from '../../emulators/emulator';
import type { EmulatorDefinition, RunningOf } from '../../emulators/emulator-definition';
import type { LocalService } from '../../emulators/registry';
import { LOCAL_REGION, localCredentials } from '../endpoints';
import { allStarted, type CloudSettings, type Teardown } from './settings';

export interface SkippedEmulator {
  name: string;
  /** What is missing and how to install it. */
  reason: string;
}

export interface RunningEmulators {
  /** Every AWS service of the registry, by cloud.json key (a skipped emulator's: its stand-in). */
  endpoints: Readonly<Record<LocalService, string>>;
  /** The running emulator of a definition of the registry; undefined when it was skipped. */
  get<Definition extends EmulatorDefinition>(definition: Definition): RunningOf<Definition> | undefined;
  isRunning(name: string): boolean;
  /** The emulators that run as child processes. */
  processes: { name: string; pid: number }[];
  skipped: SkippedEmulator[];
}

/**
 * Phase 2, emulators: every definition of the registry, side by side. Prerequisites are checked
 * first: an emulator whose tool is missing is skipped, named with how to install it, and a stand-in
 * answers on its endpoint with that message, so that no SDK call falls through to AWS. Then each gets
 * its port (so that those that `need` another get its address) and starts. Whatever started is
 * stopped by `teardown`, even when another emulator failed.
 */
export async function startEmulators(
  settings: CloudSettings,
  registry: readonly EmulatorDefinition[],
  teardown: Teardown,
): Promise<RunningEmulators> {
  // Prerequisites first: a port is taken as late as possible, so that no other process takes it meanwhile.
  const missing = await Promise.all(registry.map((definition) => definition.missingPrerequisite?.()));
  const ports = new Map<string, number>();
  for (const definition of registry)
    ports.set(definition.name, await settings.freePort(definition.preferredPort));
  const portOf = (name: string) => {
    const port = ports.get(name);
    if (port === undefined) throw new Error(`no emulator named ${name} in the registry`);
    return port;
  };
  const skipped: SkippedEmulator[] = [];
  const started = await allStarted(
    registry.map(async (definition, index) => {
      const reason = missing[index];
      if (reason !== undefined) {
        skipped.push({ name: definition.name, reason });
        settings.log(`${definition.name} is not started: ${reason}`);
        return startStandIn(definition.name, reason, portOf(definition.name));
      }
      return settings.timings.measure(`emulator ${definition.name}`, () =>
        definition.start({
          port: portOf(definition.name),
          dataDir: join(settings.paths.data, definition.name),
          region: LOCAL_REGION,
          credentials: localCredentials(),
          endpointOf(name) {
            if (!definition.needs?.includes(name))
              throw new Error(`${definition.name} uses ${name}'s endpoint: name it in its \`needs\``);
            return endpointFor(portOf(name));
          },
          log: settings.log,
        }),
      );
    }),
    teardown,
  );
  const running = new Map<string, RunningEmulator>();
  registry.forEach((definition, index) => {
    const emulator = started[index];
    if (emulator !== undefined && missing[index] === undefined) running.set(definition.name, emulator);
  });
  const endpoints: Record<string, string> = {};
  for (const definition of registry) {
    for (const service of Object.keys(definition.endpointVariables))
      endpoints[service] = endpointFor(portOf(definition.name));
  }
  return {
    endpoints: endpoints as Record<LocalService, string>,
    get: <Definition extends EmulatorDefinition>(definition: Definition) =>
      running.get(definition.name) as RunningOf<Definition> | undefined,
    isRunning: (name) => running.has(name),
    processes: [...running.values()]
      .filter((emulator): emulator is RunningEmulator & { pid: number } => emulator.pid !== undefined)
      .map((emulator) => ({ name: emulator.name, pid: emulator.pid })),
    skipped,
  };
}

/** Answers every call with 503 and why the emulator is not running, in the AWS JSON error shape. */
async function startStandIn(name: string, reason: string, port: number): Promise<RunningEmulator> {
  const unavailable = new AwsJsonError('ServiceUnavailableException', `${name} is not running: ${reason}`, {
    statusCode: 503,
  });
  const server = createServer((request, response) => {
    request.resume();
    writeAwsJsonError(response, { version: '1.1' }, unavailable);
  });
  return serveOnLoopback(name, server, port);
}
