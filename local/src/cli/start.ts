import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { CloudDescription } from '../cloud/cloud-description';
import { composeServices, localPaths } from '../cloud/layout';
import { formatTimings } from '../cloud/phases/timings';
import { type RunningCloud, startCloud } from '../cloud/start-cloud';

const { values } = parseArgs({
  options: {
    fresh: { type: 'boolean', default: false },
    'state-dir': { type: 'string' },
    'extra-service': { type: 'string', multiple: true, default: [] },
    verbose: { type: 'boolean', default: false },
    // Each step of the start-up, when it ran and how long it took.
    timings: { type: 'boolean', default: false },
    'retry-delay-scale': { type: 'string' },
    // Stage parameters, as `sls deploy --param "name=value"` takes them: off switches, limits...
    param: { type: 'string', multiple: true, default: [] },
  },
});
const paths = localPaths(undefined, values['state-dir']);

function runningPid(): number | undefined {
  if (!existsSync(paths.lockFile)) return undefined;
  const pid = Number(readFileSync(paths.lockFile, 'utf8'));
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined; // a stale lock from a run that was killed
  }
}

const other = runningPid();
if (other !== undefined) {
  console.error(
    `The local cloud is already running (pid ${other}). Stop it with Ctrl-C in its terminal or: kill ${other}`,
  );
  process.exit(1);
}
await mkdir(paths.base, { recursive: true });
await writeFile(paths.lockFile, String(process.pid));

const startedAt = Date.now();
let cloud: RunningCloud | undefined;
let stopping = false;
const starting = new AbortController();
const stop = async (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the local cloud...`);
  // During start-up, startCloud stops what it has started so far and rejects: the catch below exits.
  if (cloud === undefined) {
    starting.abort();
    return;
  }
  await cloud.stop();
  await rm(paths.lockFile, { force: true });
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  console.log(values.fresh ? 'Starting the local cloud from empty...' : 'Starting the local cloud...');
  cloud = await startCloud({
    fresh: values.fresh,
    ...(values['state-dir'] ? { stateDir: values['state-dir'] } : {}),
    services: [
      ...composeServices(),
      ...(values['extra-service'] ?? []).map((path) => ({ key: basename(path), path: resolve(path) })),
    ],
    ...(values['retry-delay-scale'] ? { retryDelayScale: Number(values['retry-delay-scale']) } : {}),
    params: parseParams(values.param ?? []),
    log: values.verbose ? (line) => console.log(line) : () => undefined,
    notify: (line) => console.log(line),
    signal: starting.signal,
  });
  if (stopping) {
    await cloud.stop();
    await rm(paths.lockFile, { force: true });
    process.exit(0);
  }
  console.log(summary(cloud.description, Date.now() - startedAt));
  if (values.timings) console.log(`\n${formatTimings(cloud.timings)}`);
} catch (error) {
  if (stopping) {
    await rm(paths.lockFile, { force: true });
    process.exit(0);
  }
  console.error(`The local cloud could not start: ${error instanceof Error ? error.message : String(error)}`);
  await rm(paths.lockFile, { force: true });
  process.exit(1);
}

function summary(description: CloudDescription, elapsedMs: number): string {
  const lines = [
    `\nThe local cloud is ready (${(elapsedMs / 1000).toFixed(1)} s). Ctrl-C stops everything.\n`,
  ];
  if (description.portalUrl) lines.push(`Portal: ${description.portalUrl}\n`);
  for (const [key, service] of Object.entries(description.services)) {
    lines.push(`${key}  API ${service.apiUrl}  Lambda ${service.lambdaEndpoint}`);
    for (const [fn, name] of Object.entries(service.functions)) lines.push(`  function ${fn}: ${name}`);
    for (const [logicalId, name] of Object.entries(service.resources)) lines.push(`  ${logicalId}: ${name}`);
  }
  lines.push('\nAWS endpoints (npm run env prints them as export lines):');
  for (const [service, endpoint] of Object.entries(description.endpoints))
    lines.push(`  ${service}: ${endpoint}`);
  if (description.skipped.length > 0) {
    lines.push('\nNot started (their endpoints answer with the reason; the rest runs):');
    for (const { name, reason } of description.skipped) lines.push(`  - ${name}: ${reason}`);
  }
  if (description.warnings.length > 0) {
    lines.push('\nNot emulated, or emulated differently:');
    for (const warning of description.warnings) lines.push(`  - ${warning}`);
  }
  lines.push(`\nEverything above is in ${paths.cloudFile}`);
  return lines.join('\n');
}

/** `name=value` pairs; the value may itself contain '='. */
function parseParams(pairs: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) {
      console.error(`--param takes name=value, not ${JSON.stringify(pair)}`);
      process.exit(1);
    }
    params[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return params;
}
