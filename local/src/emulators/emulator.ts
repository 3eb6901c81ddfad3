import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { connect, createServer, type Server as NetServer } from 'node:net';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { stripVTControlCharacters } from 'node:util';

export interface RunningEmulator {
  /** Its name in the registry ('dynamodb', 'sns-sqs'...), or a service's serverless-offline. */
  name: string;
  /** http://127.0.0.1:PORT */
  endpoint: string;
  /** Set when the emulator runs as a child process. */
  pid?: number;
  /** Idempotent. Resolves once the emulator has exited and its port is closed. */
  stop(): Promise<void>;
  /** Where it runs differently from how it should (npm start's summary lists them). */
  warnings?: readonly string[];
}

export interface EmulatorOptions {
  port: number;
  /** Persistent state lives here; created if missing. */
  dataDir: string;
  log?: (line: string) => void;
}

export class EmulatorStartError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'EmulatorStartError';
  }
}

export const LOOPBACK = '127.0.0.1';
export const STOP_GRACE_MS = 5_000;

export const endpointFor = (port: number): string => `http://${LOOPBACK}:${port}`;

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Creates the data directory if missing and returns its absolute path (children run in other cwds). */
export const prepareDataDir = async (dataDir: string): Promise<string> => {
  const absolute = resolve(dataDir);
  await mkdir(absolute, { recursive: true });
  return absolute;
};

/** Runs `fn` once; later calls get the first call's promise. */
export const once = (fn: () => Promise<void>): (() => Promise<void>) => {
  let result: Promise<void> | undefined;
  return () => {
    result ??= fn();
    return result;
  };
};

export const isPortOpen = (port: number): Promise<boolean> =>
  new Promise((done) => {
    const socket = connect({ port, host: LOOPBACK });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => {
      socket.destroy();
      done(false);
    });
  });

const waitForPortState = async (port: number, open: boolean, timeoutMs: number, signal?: AbortSignal) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    signal?.throwIfAborted();
    if ((await isPortOpen(port)) === open) return;
    await sleep(50);
  }
  throw new EmulatorStartError(`port ${port} was still ${open ? 'closed' : 'open'} after ${timeoutMs} ms`);
};

export const waitForPort = (port: number, timeoutMs: number, signal?: AbortSignal): Promise<void> =>
  waitForPortState(port, true, timeoutMs, signal);

export const waitForPortClosed = (port: number, timeoutMs: number): Promise<void> =>
  waitForPortState(port, false, timeoutMs);

const listenOnce = (port: number): Promise<number | undefined> =>
  new Promise((done) => {
    const server = createServer();
    server.unref();
    server.once('error', () => done(undefined));
    server.listen(port, LOOPBACK, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => done(bound));
    });
  });

/** The preferred port if it is free on 127.0.0.1, else one the kernel picks. */
export const findFreePort = async (preferred?: number): Promise<number> => {
  if (preferred !== undefined) {
    const port = await listenOnce(preferred);
    if (port !== undefined) return port;
  }
  const port = await listenOnce(0);
  if (port === undefined) throw new EmulatorStartError('no free port on 127.0.0.1');
  return port;
};

/**
 * Listens on 127.0.0.1:`port` (0: a port the kernel picks) and resolves with the port; a port taken
 * meanwhile is an EmulatorStartError naming `name`.
 */
export const listenOnLoopback = (server: NetServer, port: number, name: string): Promise<number> =>
  new Promise((done, fail) => {
    const refuse = (error: Error) =>
      fail(new EmulatorStartError(`${name} could not listen on ${port}`, { cause: error }));
    server.once('error', refuse);
    server.listen(port, LOOPBACK, () => {
      server.off('error', refuse);
      const address = server.address();
      done(typeof address === 'object' && address !== null ? address.port : port);
    });
  });

/**
 * An in-process emulator: `server` listening on 127.0.0.1:`port`. Its stop() runs once: `beforeClose`
 * (work under way), the server and its connections closed, then `afterClose`. A server that cannot
 * listen is closed too, so that it lets go of what it holds (kinesalite's store).
 */
export const serveOnLoopback = async (
  name: string,
  server: Server,
  port: number,
  hooks: { beforeClose?: () => Promise<void>; afterClose?: () => void } = {},
): Promise<RunningEmulator> => {
  await listenOnLoopback(server, port, name).catch(async (error: unknown) => {
    await new Promise((closed) => server.close(closed));
    throw error;
  });
  return {
    name,
    endpoint: endpointFor(port),
    stop: once(async () => {
      await hooks.beforeClose?.();
      await closeHttpServer(server);
      hooks.afterClose?.();
    }),
  };
};

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

export interface ChildHandle {
  readonly process: ChildProcess;
  /** Resolves when the process has exited (or could not be spawned). */
  readonly exited: Promise<ChildExit>;
  /** The last lines the child wrote, for start-up errors when nobody passed `log`. */
  outputTail(): string;
}

export interface SpawnChildOptions {
  command: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

const TAIL_LINES = 30;

export const spawnChild = ({ command, args, cwd, env, log }: SpawnChildOptions): ChildHandle => {
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (raw) => {
      // pino-pretty and friends colour their output even when it is not a terminal
      const line = stripVTControlCharacters(raw);
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      log?.(line);
    });
  }
  const exited = new Promise<ChildExit>((done) => {
    // 'close' rather than 'exit': by then its output has been read, so outputTail() is complete
    child.once('close', (code, signal) => done({ code, signal }));
    // 'error' without 'exit' means it never started (ENOENT, EACCES)
    child.on('error', (error) => {
      if (child.pid === undefined) done({ code: null, signal: null, error });
    });
  });
  return { process: child, exited, outputTail: () => tail.join('\n') };
};

const hasExited = (child: ChildProcess) => child.exitCode !== null || child.signalCode !== null;

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
export const stopChild = async (child: ChildHandle, graceMs = STOP_GRACE_MS): Promise<void> => {
  const { process: proc, exited } = child;
  if (proc.pid === undefined || hasExited(proc)) {
    await exited;
    return;
  }
  proc.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const killed = new Promise<void>((done) => {
    timer = setTimeout(() => {
      if (!hasExited(proc)) proc.kill('SIGKILL');
      done();
    }, graceMs);
  });
  await Promise.race([exited, killed]);
  clearTimeout(timer);
  await exited;
};

/** Closes a server and its connections: idle ones at once, busy ones after `graceMs`. */
export const closeHttpServer = (server: Server, graceMs = STOP_GRACE_MS): Promise<void> =>
  new Promise((done, fail) => {
    if (!server.listening) {
      done();
      return;
    }
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close((error) => {
      clearTimeout(force);
      if (error) fail(error);
      else done();
    });
    server.closeIdleConnections();
  });

export interface ChildEmulatorOptions {
  name: string;
  port: number;
  spawn: SpawnChildOptions;
  /** Resolves once the emulator answers; called again until it does or `timeoutMs` passes. */
  ready: (signal: AbortSignal) => Promise<void>;
  timeoutMs: number;
}

/** Spawns an emulator, waits until it is ready (failing fast if it exits first) and never leaves it orphaned. */
export const startChildEmulator = async ({
  name,
  port,
  spawn: spawnOptions,
  ready,
  timeoutMs,
}: ChildEmulatorOptions): Promise<RunningEmulator> => {
  const child = spawnChild(spawnOptions);
  const stop = once(async () => {
    await stopChild(child);
    await waitForPortClosed(port, STOP_GRACE_MS);
  });
  const abort = new AbortController();
  const timer = setTimeout(
    () =>
      abort.abort(
        new EmulatorStartError(`${name} was not ready after ${timeoutMs} ms\n${child.outputTail()}`),
      ),
    timeoutMs,
  );
  const timedOut = new Promise<never>((_, fail) =>
    abort.signal.addEventListener('abort', () => fail(abort.signal.reason), { once: true }),
  );
  const exitedEarly = child.exited.then(({ code, signal, error }): never => {
    const why = error?.message ?? `code ${code}, signal ${signal}`;
    throw new EmulatorStartError(`${name} exited before it was ready (${why})\n${child.outputTail()}`, {
      cause: error,
    });
  });
  for (const settled of [timedOut, exitedEarly]) settled.catch(() => {});
  try {
    await Promise.race([ready(abort.signal), exitedEarly, timedOut]);
  } catch (error) {
    abort.abort();
    await stop();
    if (error instanceof EmulatorStartError) throw error;
    throw new EmulatorStartError(`${name} did not start\n${child.outputTail()}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return { name, endpoint: endpointFor(port), pid: child.process.pid, stop };
};
