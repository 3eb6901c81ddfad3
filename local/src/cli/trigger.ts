import { parseArgs } from 'node:util';
import { readCloudDescription } from '../cloud/cloud-description';
import { localPaths } from '../cloud/layout';

// --state-dir reaches a cloud started with `npm start -- --state-dir <dir>` (tests start theirs so).
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { 'state-dir': { type: 'string' } },
});
const [service, functionKey] = positionals;
if (service === undefined || functionKey === undefined) {
  console.error(
    "Usage: npm run trigger -- <service> <function> [--state-dir <dir>]   (fires the function's schedule now)",
  );
  process.exit(2);
}
const cloud = await readCloudDescription(localPaths(undefined, values['state-dir']).cloudFile).catch(() => {
  console.error('The local cloud is not running: start it with npm start.');
  process.exit(1);
});
const response = await fetch(
  `${cloud.controlUrl}/schedules/${encodeURIComponent(service)}/${encodeURIComponent(functionKey)}`,
  {
    method: 'POST',
  },
);
const body = await response.text();
if (!response.ok) {
  console.error(JSON.parse(body).error);
  process.exit(1);
}
console.log(body);
