import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  type EmulatorOptions,
  EmulatorStartError,
  endpointFor,
  LOOPBACK,
  type RunningEmulator,
  sleep,
  startChildEmulator,
} from '../emulator';

const READY_TIMEOUT_MS = 60_000;
const INSTALL_MOTO =
  "Install moto's server with Python: `pip install 'moto[server]'` (it serves Glue, EC2 and STS locally).";

/** Resolves to undefined when `moto_server` runs, else to what is missing and how to install it. */
export async function missingMotoServer(command = 'moto_server'): Promise<string | undefined> {
  try {
    await promisify(execFile)(command, ['--help'], { timeout: 15_000 });
    return undefined;
  } catch {
    return `\`${command}\` is not on the PATH. ${INSTALL_MOTO}`;
  }
}

/**
 * moto's server: one process that answers every AWS service moto mocks, told apart by the request's
 * signature, so Glue, EC2 and STS share its port. Its state lives in memory: a restart starts empty
 * (the local cloud provisions the templates' resources again). Accounts are told apart by the
 * `x-moto-account-id` header that the CloudTrail proxy sets from the caller's access key; MOTO_ACCOUNT_ID
 * is left unset, since moto would then put every caller in that one account.
 * https://docs.getmoto.org/en/latest/docs/server_mode.html
 */
export const startMotoServer = async ({
  port,
  log,
}: Omit<EmulatorOptions, 'dataDir'>): Promise<RunningEmulator> =>
  startChildEmulator({
    name: 'moto',
    port,
    timeoutMs: READY_TIMEOUT_MS,
    spawn: {
      command: 'moto_server',
      args: ['--host', LOOPBACK, '--port', String(port)],
      cwd: process.cwd(),
      env: {},
      ...(log ? { log } : {}),
    },
    // The moto API answers once the server routes requests (the port alone opens a little earlier).
    ready: async (signal) => {
      while (!signal.aborted) {
        const answer = await fetch(`${endpointFor(port)}/moto-api/`, { signal }).catch(() => undefined);
        if (answer?.ok) return;
        await sleep(100);
      }
      throw new EmulatorStartError(`moto did not answer on port ${port}`);
    },
  });
