import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';
import type { BuildAppOptions } from 'fauxqs';
import {
  type EmulatorOptions,
  EmulatorStartError,
  endpointFor,
  LOOPBACK,
  once,
  prepareDataDir,
  type RunningEmulator,
} from '../emulator';

type Stores = NonNullable<BuildAppOptions['stores']>;
type PersistenceManager = NonNullable<Stores['sqsStore']['persistence']>;

interface Fauxqs {
  buildApp: typeof import('fauxqs').buildApp;
  SqsStore: new () => Stores['sqsStore'];
  SnsStore: new () => Stores['snsStore'];
  S3Store: new () => Stores['s3Store'];
  PersistenceManager: new (dataDir: string) => PersistenceManager;
}

/**
 * fauxqs exports only buildApp() and startFauxqs(). startFauxqs() binds 0.0.0.0 and names queues
 * http://sqs.<region>.localhost:<port>/..., a host that does not resolve, so we assemble the same parts
 * ourselves; they are loaded by file URL because the package's exports map hides them, and all from one
 * real path so that every class comes from the same module instance.
 */
const loadFauxqs = async (): Promise<Fauxqs> => {
  const searched = createRequire(import.meta.url).resolve.paths('fauxqs') ?? [];
  const packageDir = searched
    .map((dir) => join(dir, 'fauxqs'))
    .find((dir) => existsSync(join(dir, 'package.json')));
  if (packageDir === undefined) throw new EmulatorStartError('fauxqs is not installed');
  const dist = realpathSync(join(packageDir, 'dist'));
  const load = (file: string) => import(pathToFileURL(join(dist, file)).href);
  const [app, sqs, sns, s3, persistence] = await Promise.all(
    ['app.js', 'sqs/sqsStore.js', 'sns/snsStore.js', 's3/s3Store.js', 'persistence.js'].map(load),
  );
  return {
    buildApp: app.buildApp,
    SqsStore: sqs.SqsStore,
    SnsStore: sns.SnsStore,
    S3Store: s3.S3Store,
    PersistenceManager: persistence.PersistenceManager,
  };
};

const DB_FILE = 'fauxqs.db';

/**
 * fauxqs stores each queue's URL as it was created, port included. Pointing them at this start's endpoint keeps
 * GetQueueUrl/CreateQueue answers usable when the port changed since (the SDK sends to the QueueUrl's host).
 */
const rehomeQueueUrls = (dataDir: string, endpoint: string) => {
  const db = new DatabaseSync(join(dataDir, DB_FILE));
  try {
    const rows = db.prepare('SELECT name, url FROM sqs_queues').all();
    const update = db.prepare('UPDATE sqs_queues SET url = ? WHERE name = ?');
    for (const { name, url } of rows) {
      if (typeof name !== 'string' || typeof url !== 'string') continue;
      update.run(url.replace(/^https?:\/\/[^/]+/, endpoint), name);
    }
  } finally {
    db.close();
  }
};

/**
 * fauxqs (SQS and SNS on one port) in-process. Queues, messages, topics and subscriptions persist in
 * <dataDir>/fauxqs.db (SQLite); queue URLs echo the Host the client used (http://127.0.0.1:PORT/000000000000/name).
 */
export const startSnsSqs = async ({ port, dataDir, log }: EmulatorOptions): Promise<RunningEmulator> => {
  const directory = await prepareDataDir(dataDir);
  const endpoint = endpointFor(port);
  const fauxqs = await loadFauxqs();

  const sqsStore = new fauxqs.SqsStore();
  // No fixed host: buildQueueUrl() then uses the request's Host header.
  Object.assign(sqsStore, { host: undefined });
  const snsStore = new fauxqs.SnsStore();
  const s3Store = new fauxqs.S3Store();

  // The same order as startFauxqs(): load before wiring persistence, or loading re-inserts rows and
  // INSERT OR REPLACE cascades into deleting the queues' messages.
  const persistence = new fauxqs.PersistenceManager(directory);
  rehomeQueueUrls(directory, endpoint);
  persistence.load(sqsStore, snsStore, s3Store);
  sqsStore.persistence = persistence;
  snsStore.persistence = persistence;
  s3Store.persistence = persistence;
  for (const queue of sqsStore.allQueues()) queue.persistence = persistence;

  const app = fauxqs.buildApp({ logger: false, stores: { sqsStore, snsStore, s3Store } });
  app.addHook('preClose', () => persistence.close());
  try {
    await app.listen({ port, host: LOOPBACK });
  } catch (error) {
    await app.close();
    throw new EmulatorStartError(`sns-sqs could not listen on ${port}`, { cause: error });
  }
  log?.(`sns-sqs: ${[...sqsStore.allQueues()].length} queues restored from ${join(directory, DB_FILE)}`);

  return {
    name: 'sns-sqs',
    endpoint,
    stop: once(async () => {
      await app.close();
    }),
  };
};
