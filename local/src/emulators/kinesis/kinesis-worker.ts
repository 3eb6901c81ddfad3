/** The worker thread of kinesis-thread.ts: starts kinesalite, says so, and stops it when told. */
import { parentPort, workerData } from 'node:worker_threads';
import type { EmulatorOptions } from '../emulator';
import { startKinesis } from './kinesalite';
import type { KinesisWorkerMessage } from './kinesis-thread';

const port = parentPort;
if (port === null) throw new Error('kinesis-worker.ts runs as a worker thread');
const say = (message: KinesisWorkerMessage) => port.postMessage(message);

try {
  const running = await startKinesis(workerData as EmulatorOptions);
  port.once('message', () => {
    running.stop().then(
      () => port.close(),
      (error: unknown) => {
        say({ kind: 'stop-failed', message: String(error) });
        port.close();
      },
    );
  });
  say({ kind: 'started', endpoint: running.endpoint });
} catch (error) {
  const cause = error instanceof Error ? error.cause : undefined;
  say({
    kind: 'failed',
    name: error instanceof Error ? error.name : 'Error',
    message: error instanceof Error ? error.message : String(error),
    ...(cause === undefined ? {} : { cause: String(cause) }),
  });
  port.close();
}
