/**
 * Kinesis in a worker thread of the cloud process: kinesalite's puts and reads (LevelDB, JSON, shard
 * iterators) were the largest share of the one event loop that also runs the stream consumers and
 * the other in-process emulators, and on a telemetry load that loop was the bound. On its own thread
 * it has a core of its own; everything else reaches it as before, over HTTP on its port.
 */
import { once as eventOnce } from 'node:events';
import { Worker } from 'node:worker_threads';
import {
  type EmulatorOptions,
  EmulatorStartError,
  once,
  type RunningEmulator,
  STOP_GRACE_MS,
} from '../emulator';

/** What the worker (kinesis-worker.ts) posts: started, failed to start, or failed to stop. */
export type KinesisWorkerMessage =
  | { kind: 'started'; endpoint: string }
  | { kind: 'failed'; name: string; message: string; cause?: string }
  | { kind: 'stop-failed'; message: string };

export interface RunningKinesisThread extends RunningEmulator {
  /** The worker thread's id (never 0, the main thread's). */
  threadId: number;
}

export const startKinesisThread = async ({
  port,
  dataDir,
  log = () => undefined,
}: EmulatorOptions): Promise<RunningKinesisThread> => {
  // The worker inherits the process's execArgv (tsx's loader with it), so it runs the TypeScript itself.
  const worker = new Worker(new URL('./kinesis-worker.ts', import.meta.url), {
    workerData: { port, dataDir },
  });
  const exited = eventOnce(worker, 'exit').then(([code]) => code as number);
  let stopping = false;
  // After the start, an error of kinesalite's own ends the thread: it is said, not thrown at the cloud.
  let lastError: unknown;
  let stopFailure: string | undefined;
  worker.on('error', (error) => {
    lastError = error;
    log(`kinesis's thread failed: ${String(error)}`);
  });
  worker.on('message', (message: KinesisWorkerMessage) => {
    if (message.kind === 'stop-failed') stopFailure = message.message;
  });
  void exited.then((code) => {
    if (!stopping) log(`kinesis's thread ended (exit code ${code}): the Kinesis endpoint no longer answers`);
  });

  // The first message, or the thread's end without one (an error before it said anything).
  const first = await Promise.race([
    new Promise<KinesisWorkerMessage>((said) => worker.once('message', said)),
    exited.then(
      (code): KinesisWorkerMessage => ({
        kind: 'failed',
        name: 'Error',
        message: lastError === undefined ? `exit code ${code}` : String(lastError),
      }),
    ),
  ]);
  if (first.kind !== 'started') {
    stopping = true;
    await worker.terminate();
    const failure = first.kind === 'failed' ? first : { name: 'Error', message: first.message };
    const cause = 'cause' in failure && failure.cause ? { cause: new Error(failure.cause) } : undefined;
    // The emulator's own start-up error keeps its words; anything else says where it came from.
    throw new EmulatorStartError(
      failure.name === 'EmulatorStartError'
        ? failure.message
        : `kinesis's thread failed to start: ${failure.message}`,
      cause,
    );
  }
  return {
    name: 'kinesis',
    endpoint: first.endpoint,
    threadId: worker.threadId,
    stop: once(async () => {
      stopping = true;
      worker.postMessage('stop');
      // A last resort: a thread torn down with its LevelDB open keeps leveldown 5's lock in this process.
      const timer = setTimeout(() => {
        log(`kinesis's thread did not stop within ${(STOP_GRACE_MS * 2) / 1000} s: terminated`);
        void worker.terminate();
      }, STOP_GRACE_MS * 2);
      await exited;
      clearTimeout(timer);
      if (stopFailure !== undefined) throw new Error(`kinesis did not stop cleanly: ${stopFailure}`);
      if (lastError !== undefined) throw lastError;
    }),
  };
};
