import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { isPortOpen, type RunningEmulator } from '../../src/emulators/emulator';

export const region = 'us-east-1';
export const credentials = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };

export const clientConfig = (emulator: RunningEmulator) => ({
  endpoint: emulator.endpoint,
  region,
  credentials,
});

export const makeDataDir = (name: string): Promise<string> => mkdtemp(join(tmpdir(), `emulator-${name}-`));

export const removeDataDir = (dir: string | undefined): Promise<void> =>
  dir ? rm(dir, { recursive: true, force: true }) : Promise.resolve();

export const portOf = (emulator: RunningEmulator): number => Number(new URL(emulator.endpoint).port);

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
};

/** stop(), twice (it must be idempotent), then what a user would check: nothing listens, nothing runs. */
export const stopAndAssertGone = async (emulator: RunningEmulator | undefined): Promise<void> => {
  if (emulator === undefined) return;
  await Promise.all([emulator.stop(), emulator.stop()]);
  await emulator.stop();
  expect(await isPortOpen(portOf(emulator)), `${emulator.endpoint} still open`).to.equal(false);
  if (emulator.pid !== undefined)
    expect(isAlive(emulator.pid), `pid ${emulator.pid} still alive`).to.equal(false);
};

/** Milliseconds `start` took; printed so that start-up regressions show in the test output. */
export const timed = async <T>(label: string, start: () => Promise<T>): Promise<T> => {
  const began = performance.now();
  const result = await start();
  console.log(`      ${label} started in ${Math.round(performance.now() - began)} ms`);
  return result;
};
