import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { localPaths } from '../cloud/layout';
import { functionLogsFile, logsEnd, matches, readLogsFrom } from '../lambda/function-logs';
import { parseCommandLine, usageError } from './command-line';
import { functionNameIn, runningCloud, STATE_DIR_OPTION } from './running-cloud';

const INVOKE = {
  invocation: 'npm run invoke --',
  synopsis: '<service> <function> [options]',
  about: [
    "Invokes a function of the running local cloud through its service's Lambda endpoint, as",
    '`aws lambda invoke` would, and prints the result and what the function logged meanwhile.',
    'Sample events: npm run event -- <source> <type>, e.g. npm run event -- s3 put | npm run invoke -- catalog',
    'registerObject --event -',
  ].join('\n'),
  options: {
    event: {
      type: 'string',
      placeholder: '<file|->',
      description: 'the event: a JSON file, or - for standard input (default {})',
    },
    'state-dir': STATE_DIR_OPTION,
  },
  allowPositionals: true,
} as const;

/** The function's last lines reach the log file shortly after its answer: read until it stops growing. */
const LOG_QUIET_MS = 200;
const LOG_WAIT_MAX_MS = 3_000;

const { positionals, values } = parseCommandLine(INVOKE);
const [service, functionKey, ...extra] = positionals;
if (service === undefined || functionKey === undefined)
  usageError(INVOKE.invocation, 'name the service and the function');
if (extra.length > 0) usageError(INVOKE.invocation, `unexpected argument '${extra[0]}'`);
const cloud = await runningCloud(values['state-dir']);
const functionName = functionNameIn(cloud, service, functionKey);
const eventText = await readEvent(values.event);
const logs = functionLogsFile(localPaths(undefined, values['state-dir']).logs);
const logsBefore = await logsEnd(logs);
const lambda = new LambdaClient({
  endpoint: cloud.services[service]?.lambdaEndpoint,
  region: cloud.region,
  credentials: cloud.credentials,
  maxAttempts: 1,
});
const response = await lambda.send(
  new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(eventText) }),
);
lambda.destroy();
await settledEnd(logs);
const { entries } = await readLogsFrom(logs, logsBefore);
const lines = entries.filter((entry) => matches(entry, { service, functionName }));
if (lines.length > 0) console.error(lines.map((entry) => `${entry.time} ${entry.line}`).join('\n'));
console.log(response.Payload ? new TextDecoder().decode(response.Payload) : '');
if (response.FunctionError) {
  console.error(`function error: ${response.FunctionError}`);
  process.exitCode = 1;
}

/** Where the log file ends once nothing has been added to it for LOG_QUIET_MS (at most LOG_WAIT_MAX_MS). */
async function settledEnd(file: string): Promise<number> {
  const deadline = Date.now() + LOG_WAIT_MAX_MS;
  let end = await logsEnd(file);
  for (;;) {
    await sleep(LOG_QUIET_MS);
    const now = await logsEnd(file);
    if (now === end || Date.now() > deadline) return now;
    end = now;
  }
}

async function readEvent(source: string | undefined): Promise<string> {
  if (source === undefined) return '{}';
  const text = source === '-' ? await readStdin() : await readFile(source, 'utf8');
  try {
    return JSON.stringify(JSON.parse(text));
  } catch (error) {
    console.error(`The event is not JSON: ${(error as Error).message}`);
    process.exit(2);
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
