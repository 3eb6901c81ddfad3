import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import {
  type EmulatorOptions,
  EmulatorStartError,
  endpointFor,
  listenOnLoopback,
  once,
  prepareDataDir,
  type RunningEmulator,
  STOP_GRACE_MS,
} from '../emulator';
import { installFastHashKeys } from './hash-keys';
import { createHttp2Front } from './http2-front';
import { requireFromKinesalite } from './kinesalite-db';
import { installFastSequenceNumbers } from './sequence-numbers';

// kinesalite speaks HTTP/1.1 only; the front (http2-front.ts) serves the SDK's default HTTP/2 client too.

interface KinesaliteOptions {
  path: string;
  createStreamMs: number;
  deleteStreamMs: number;
  updateStreamMs: number;
  shardLimit: number;
}

type Kinesalite = (options: KinesaliteOptions) => Server;

interface LevelDown {
  open(callback: (error?: Error) => void): void;
  close(callback: (error?: Error) => void): void;
}

const require = createRequire(import.meta.url);

/**
 * kinesalite opens its LevelDB after it has returned the server, and an open error (the LOCK held by another
 * emulator on the same dataDir) is thrown as an uncaught 'error' that ends the whole process. Opening the
 * store once beforehand turns that into a start-up error.
 */
const assertStoreFree = async (path: string) => {
  const leveldown = requireFromKinesalite('leveldown') as (location: string) => LevelDown;
  const db = leveldown(path);
  try {
    await new Promise<void>((done, fail) => db.open((error) => (error ? fail(error) : done())));
  } catch (error) {
    throw new EmulatorStartError(`kinesis cannot open its store in ${path} (another emulator using it?)`, {
      cause: error,
    });
  }
  await new Promise<void>((done, fail) => db.close((error) => (error ? fail(error) : done())));
};

/**
 * kinesalite in the calling thread (the registry calls it in a thread of its own: kinesis-thread.ts);
 * streams and records live in a LevelDB under dataDir.
 */
export const startKinesis = async ({ port, dataDir }: EmulatorOptions): Promise<RunningEmulator> => {
  const path = await prepareDataDir(dataDir);
  await assertStoreFree(path);
  installFastSequenceNumbers();
  installFastHashKeys();
  const kinesalite: Kinesalite = require('kinesalite');
  // Streams become ACTIVE at once: the local cloud creates them at start and uses them right away.
  const server = kinesalite({
    path,
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 100,
  });
  const front = createHttp2Front(server);
  // kinesalite's close() closes the LevelDB first, so the same dataDir can be reopened afterwards; its
  // HTTP/1.1 server never listens itself (the front does), so "not running" is expected.
  const closeStore = () =>
    new Promise<void>((done, fail) =>
      server.close((error?: Error & { code?: string }) =>
        error && error.code !== 'ERR_SERVER_NOT_RUNNING' ? fail(error) : done(),
      ),
    );
  await listenOnLoopback(front.server, port, 'kinesis').catch(async (error: unknown) => {
    await closeStore();
    throw error;
  });
  return {
    name: 'kinesis',
    endpoint: endpointFor(port),
    stop: once(async () => {
      await front.close(STOP_GRACE_MS);
      await closeStore();
    }),
  };
};
