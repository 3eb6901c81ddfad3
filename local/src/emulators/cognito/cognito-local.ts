import { createRequire } from 'node:module';
import {
  type EmulatorOptions,
  LOOPBACK,
  prepareDataDir,
  type RunningEmulator,
  startChildEmulator,
  waitForPort,
} from '../emulator';

const READY_TIMEOUT_MS = 30_000;

/** cognito-local as a child process; user pools and clients are JSON files in <dataDir>/.cognito. */
export const startCognito = async ({ port, dataDir, log }: EmulatorOptions): Promise<RunningEmulator> => {
  const cwd = await prepareDataDir(dataDir);
  const bin = createRequire(import.meta.url).resolve('cognito-local/lib/bin/start.js');
  return startChildEmulator({
    name: 'cognito',
    port,
    timeoutMs: READY_TIMEOUT_MS,
    spawn: {
      command: process.execPath,
      args: [bin],
      cwd,
      // cognito-local still uses the AWS SDK v2, which prints an end-of-support notice at every start.
      env: { PORT: String(port), HOST: LOOPBACK, AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1' },
      log,
    },
    ready: (signal) => waitForPort(port, READY_TIMEOUT_MS, signal),
  });
};
