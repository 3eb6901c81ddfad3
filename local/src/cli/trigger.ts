import { readCloudDescription } from '../cloud/cloud-description';
import { localPaths } from '../cloud/layout';
import { parseCommandLine, usageError } from './command-line';

const TRIGGER = {
  invocation: 'npm run trigger --',
  synopsis: '<service> <function> [options]',
  about: [
    "Fires a scheduled function of the running local cloud now, with the event its schedule's rule would",
    "send. <service> is its key in serverless-compose.yml, <function> the function's key in serverless.yml.",
  ].join('\n'),
  options: {
    // Tests start their cloud with `npm start -- --state-dir <dir>`.
    'state-dir': {
      type: 'string',
      placeholder: '<dir>',
      description: 'the cloud started with `npm start -- --state-dir <dir>` (default .local)',
    },
  },
  allowPositionals: true,
} as const;

const { positionals, values } = parseCommandLine(TRIGGER);
const [service, functionKey, ...extra] = positionals;
if (service === undefined || functionKey === undefined)
  usageError(TRIGGER.invocation, 'name the service and the function');
if (extra.length > 0) usageError(TRIGGER.invocation, `unexpected argument '${extra[0]}'`);
const cloud = await readCloudDescription(localPaths(undefined, values['state-dir']).cloudFile).catch(() => {
  console.error('The local cloud is not running: start it with npm start.');
  process.exit(1);
});
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
