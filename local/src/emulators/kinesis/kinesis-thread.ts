/**
 * Kinesis in a worker thread of the cloud process: kinesalite's puts and reads (LevelDB, JSON, shard
 * iterators) were the largest share of the one event loop that also runs the stream consumers and
 * the other in-process emulators, and on a telemetry load that loop was the bound. On its own thread
 * it has a core of its own; everything else reaches it as before, over HTTP on its port.
 */
import { Worker } from 'node:worker_threads';
import {
  type EmulatorOptions,
  EmulatorStartError,
  once,
  type RunningEmulator,
  STOP_GRACE_MS,
} from '../emulator';

/** What the worker (kinesis-worker.ts) posts: started, failed to start, or stopped. */
export type KinesisWorkerMessage =
  | { kind: 'started'; endpoint: string }
  | { kind: 'failed'; name: string; message: string }
  | { kind: 'stopped' };

export const startKinesisThread = async ({ port, dataDir }: EmulatorOptions): Promise<RunningEmulator> => {
  // The worker inherits the process's execArgv (tsx's loader with it), so it runs the TypeScript itself.
  const worker = new Worker(new URL('./kinesis-worker.ts', import.meta.url), {
    workerData: { port, dataDir },
  });
  const exited = new Promise<void>((done) => worker.once('exit', () => done()));
  const next = () =>
    new Promise<KinesisWorkerMessage>((done, fail) => {
      const onError = (error: Error) => fail(error);
      worker.once('error', onError);
      worker.once('message', (message: KinesisWorkerMessage) => {
        worker.off('error', onError);
        done(message);
      });
    });
  const first = await next().catch((error: unknown) => {
    throw new EmulatorStartError(`kinesis's thread failed to start: ${String(error)}`, { cause: error });
  });
  if (first.kind !== 'started') {
    await exited;
    // The same error the emulator would have thrown in this thread, by its message.
    const message = first.kind === 'failed' ? first.message : 'kinesis stopped before it started';
    throw first.kind === 'failed' && first.name === 'EmulatorStartError'
      ? new EmulatorStartError(message)
      : new Error(message);
  }
  return {
    name: 'kinesis',
    endpoint: first.endpoint,
    stop: once(async () => {
      worker.postMessage('stop');
      const timer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS * 2);
      await exited;
      clearTimeout(timer);
    }),
  };
};
