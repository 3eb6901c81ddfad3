import { type CloudDescription, readCloudDescription } from '../cloud/cloud-description';
import { localPaths } from '../cloud/layout';
import { type CommandOption, USAGE_ERROR } from './command-line';

/** --state-dir, for the commands that talk to a running cloud (tests start theirs with one). */
export const STATE_DIR_OPTION = {
  type: 'string',
  placeholder: '<dir>',
  description: 'the cloud started with `npm start -- --state-dir <dir>` (default .local)',
} as const satisfies CommandOption;

/** The running cloud's description (cloud.json), or exit 1 saying how to start one. */
export function runningCloud(stateDir: string | undefined): Promise<CloudDescription> {
  return readCloudDescription(localPaths(undefined, stateDir).cloudFile).catch(() => {
    console.error('The local cloud is not running: start it with npm start.');
    process.exit(1);
  });
}

/** The physical name of a service's function, or exit 2 naming what exists. */
export function functionNameIn(cloud: CloudDescription, service: string, functionKey: string): string {
  const described = cloud.services[service];
  if (described === undefined) {
    console.error(
      `No service '${service}'; the local cloud runs: ${Object.keys(cloud.services).join(', ')}.`,
    );
    process.exit(USAGE_ERROR);
  }
  const name = described.functions[functionKey];
  if (name === undefined) {
    console.error(
      `No function '${functionKey}' in ${service}; it has: ${Object.keys(described.functions).join(', ')}.`,
    );
    process.exit(USAGE_ERROR);
  }
  return name;
}
