import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { composeServices, localPaths } from '../cloud/layout';
import { formatTimings } from '../cloud/phases/timings';
import { type RunningCloud, startCloud } from '../cloud/start-cloud';
import { type Command, type CommandOption, parseCommandLine, usageError } from './command-line';
import { startupSummary } from './summary';

const START = {
  invocation: 'npm start --',
  synopsis: '[options]',
  about: [
    'Runs the whole platform on loopback, with no AWS account: the emulators, one serverless-offline per',
    'service and the portal. It stays in the foreground; Ctrl-C stops everything it started. Where',
    'everything is: .local/cloud.json; eval "$(npm run --silent env)" points the AWS CLI and SDKs at it.',
  ].join('\n'),
  options: {
    fresh: { type: 'boolean', default: false, description: 'begin empty: remove the persisted data first' },
    param: {
      type: 'string',
      multiple: true,
      default: [],
      placeholder: '<name=value>',
      description: 'a stage parameter, as `sls deploy --param` takes it: labelDetection=false',
    },
    verbose: { type: 'boolean', default: false, description: "print every process's output" },
    'state-dir': {
      type: 'string',
      placeholder: '<dir>',
      description: 'keep data, builds and cloud.json in <dir>, not .local; take any free ports',
    },
    'extra-service': {
      type: 'string',
      multiple: true,
      default: [],
      placeholder: '<dir>',
      description: 'also run the serverless service in <dir>, as tests do with their fixture',
    },
    'retry-delay-scale': {
      type: 'string',
      placeholder: '<factor>',
      description: "multiply Lambda's async retry delays and Step Functions' Retry intervals",
    },
    timings: {
      type: 'boolean',
      default: false,
      description: 'also print when each step of the start-up ran and how long it took',
    },
  },
} as const satisfies Command<Record<string, CommandOption>>;

const { values } = parseCommandLine(START);
const retryDelayScale =
  values['retry-delay-scale'] === undefined ? undefined : Number(values['retry-delay-scale']);
if (retryDelayScale !== undefined && !(retryDelayScale >= 0))
  usageError(START.invocation, `--retry-delay-scale takes a number, not ${values['retry-delay-scale']}`);
const params = parseParams(values.param ?? []);
// serverless-offline writes notices for every request (its route, the authorizer's run, the
// invocation's duration) that the local cloud reads from a pipe only to drop them unless --verbose: a
// good share of what each API call costs the local cloud. Its processes inherit the level; warnings
// and errors still show.
if (!values.verbose) process.env.SLS_LOG_LEVEL ??= 'warning';
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
    ...(retryDelayScale === undefined ? {} : { retryDelayScale }),
    params,
    log: values.verbose ? (line) => console.log(line) : () => undefined,
    notify: (line) => console.log(line),
    signal: starting.signal,
  });
  if (stopping) {
    await cloud.stop();
    await rm(paths.lockFile, { force: true });
    process.exit(0);
  }
  console.log(`\n${startupSummary(cloud.description, Date.now() - startedAt, paths.cloudFile)}`);
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

/** `name=value` pairs; the value may itself contain '='. */
function parseParams(pairs: string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const separator = pair.indexOf('=');
    if (separator <= 0) usageError(START.invocation, `--param takes name=value, not ${JSON.stringify(pair)}`);
    params[pair.slice(0, separator)] = pair.slice(separator + 1);
  }
  return params;
}
