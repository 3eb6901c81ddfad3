import { setTimeout as sleep } from 'node:timers/promises';
import { localPaths } from '../cloud/layout';
import { functionLogsFile, matches, readLogsFrom } from '../lambda/function-logs';
import { parseCommandLine, usageError } from './command-line';
import { functionNameIn, runningCloud, STATE_DIR_OPTION } from './running-cloud';

const LOGS = {
  invocation: 'npm run logs --',
  synopsis: '<service> [<function>] [options]',
  about: [
    "Prints what a service's functions logged in the running local cloud (CloudWatch Logs' counterpart).",
    '<service> is its key in serverless-compose.yml, <function> a function key of its serverless.yml.',
  ].join('\n'),
  options: {
    follow: {
      type: 'boolean',
      short: 'f',
      description: 'keep printing new lines as they come (Ctrl-C stops)',
    },
    'state-dir': STATE_DIR_OPTION,
  },
  allowPositionals: true,
} as const;

const FOLLOW_POLL_MS = 250;

const { positionals, values } = parseCommandLine(LOGS);
const [service, functionKey, ...extra] = positionals;
if (service === undefined) usageError(LOGS.invocation, 'name the service');
if (extra.length > 0) usageError(LOGS.invocation, `unexpected argument '${extra[0]}'`);
const cloud = await runningCloud(values['state-dir']);
const filter = {
  service,
  ...(functionKey === undefined ? {} : { functionName: functionNameIn(cloud, service, functionKey) }),
};
const file = functionLogsFile(localPaths(undefined, values['state-dir']).logs);
let position = 0;
do {
  const { entries, end } = await readLogsFrom(file, position);
  position = end;
  for (const entry of entries) if (matches(entry, filter)) console.log(`${entry.time} ${entry.line}`);
  if (values.follow) await sleep(FOLLOW_POLL_MS);
} while (values.follow);
