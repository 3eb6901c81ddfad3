import { parseCommandLine } from './command-line';
import { runningCloud, STATE_DIR_OPTION } from './running-cloud';

const ENV = {
  invocation: 'npm run --silent env --',
  synopsis: '[options]',
  about: [
    "Prints the running local cloud's AWS_ENDPOINT_URL_<SERVICE> variables, credentials and region as",
    'export lines: eval "$(npm run --silent env)" points the AWS CLI and any SDK script at it.',
  ].join('\n'),
  options: {
    'state-dir': STATE_DIR_OPTION,
  },
} as const;

const { values } = parseCommandLine(ENV);
const cloud = await runningCloud(values['state-dir']);
for (const [name, value] of Object.entries(cloud.environment)) console.log(`export ${name}='${value}'`);
