import { readCloudDescription } from '../cloud/cloud-description';
import { localPaths } from '../cloud/layout';
import { parseCommandLine } from './command-line';

const ENV = {
  invocation: 'npm run --silent env --',
  synopsis: '[options]',
  about: [
    "Prints the running local cloud's AWS_ENDPOINT_URL_<SERVICE> variables, credentials and region as",
    'export lines: eval "$(npm run --silent env)" points the AWS CLI and any SDK script at it.',
  ].join('\n'),
  options: {
    'state-dir': {
      type: 'string',
      placeholder: '<dir>',
      description: 'the cloud started with `npm start -- --state-dir <dir>` (default .local)',
    },
  },
} as const;

const { values } = parseCommandLine(ENV);
const cloud = await readCloudDescription(localPaths(undefined, values['state-dir']).cloudFile).catch(() => {
  console.error('The local cloud is not running: start it with npm start.');
  process.exit(1);
});
for (const [name, value] of Object.entries(cloud.environment)) console.log(`export ${name}='${value}'`);
