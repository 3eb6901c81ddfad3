import { parseArgs } from 'node:util';
import { readCloudDescription } from '../cloud/cloud-description';
import { localPaths } from '../cloud/layout';

// eval "$(npm run --silent env)" points the AWS CLI and any SDK script at the running local cloud;
// --state-dir reaches a cloud started with `npm start -- --state-dir <dir>`.
const { values } = parseArgs({ options: { 'state-dir': { type: 'string' } } });
const cloud = await readCloudDescription(localPaths(undefined, values['state-dir']).cloudFile).catch(() => {
  console.error('The local cloud is not running: start it with npm start.');
  process.exit(1);
});
for (const [name, value] of Object.entries(cloud.environment)) console.log(`export ${name}='${value}'`);
