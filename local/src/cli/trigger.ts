import { parseCommandLine, usageError } from './command-line';
import { runningCloud, STATE_DIR_OPTION } from './running-cloud';

const TRIGGER = {
  invocation: 'npm run trigger --',
  synopsis: '<service> <function> [options]',
  about: [
    "Fires a scheduled function of the running local cloud now, with the event its schedule's rule would",
    "send. <service> is its key in serverless-compose.yml, <function> the function's key in serverless.yml.",
  ].join('\n'),
  options: {
    'state-dir': STATE_DIR_OPTION,
  },
  allowPositionals: true,
} as const;

const { positionals, values } = parseCommandLine(TRIGGER);
const [service, functionKey, ...extra] = positionals;
if (service === undefined || functionKey === undefined)
  usageError(TRIGGER.invocation, 'name the service and the function');
if (extra.length > 0) usageError(TRIGGER.invocation, `unexpected argument '${extra[0]}'`);
const cloud = await runningCloud(values['state-dir']);
const response = await fetch(
  `${cloud.controlUrl}/schedules/${encodeURIComponent(service)}/${encodeURIComponent(functionKey)}`,
  { method: 'POST' },
);
const body = await response.text();
if (!response.ok) {
  console.error(JSON.parse(body).error);
  process.exit(1);
}
console.log(body);
