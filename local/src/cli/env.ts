import { readCloudDescription } from '../cloud/cloud-description';
import { localPaths } from '../cloud/layout';

// eval "$(npm run --silent env)" points the AWS CLI and any SDK script at the running local cloud.
const cloud = await readCloudDescription(localPaths().cloudFile).catch(() => {
  console.error('The local cloud is not running: start it with npm start.');
  process.exit(1);
});
for (const [name, value] of Object.entries(cloud.environment)) console.log(`export ${name}='${value}'`);
