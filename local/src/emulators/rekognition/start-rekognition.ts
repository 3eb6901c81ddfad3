/**
 * Amazon Rekognition DetectLabels for the local cloud, answered by a real offline object detector: CenterNet
 * (COCO's 80 classes) from @vladmandic/human on TensorFlow.js's wasm backend. Labels are therefore COCO's
 * ("Person", "Car", "Dog"...), not AWS's taxonomy; see docs/adr/0003-local-rekognition.md.
 *
 * Wire protocol: AWS JSON 1.1 (`X-Amz-Target: RekognitionService.DetectLabels`), so the unchanged
 * @aws-sdk/client-rekognition works once AWS_ENDPOINT_URL_REKOGNITION points here. Images come as Image.Bytes
 * or as Image.S3Object, read through the S3 API at `s3Endpoint`. AWS's limits and exceptions apply:
 * InvalidImageFormatException, ImageTooLargeException, InvalidS3ObjectException, InvalidParameterException.
 *
 * Local-only control routes, on the same port:
 * - `POST /_local/faults` with `{"operation": "DetectLabels", "error": "InternalServerError", "times": 2}`
 *   makes the next 2 DetectLabels calls fail with that exception and AWS's status for it (500 for
 *   InternalServerError and ThrottlingException, 400 for the others); optional `message`, and `statusCode` to
 *   override the status. Faults queue in the order they were armed. Answers 201 with the armed faults.
 * - `GET /_local/faults` lists the armed faults with their `remaining` count; `DELETE /_local/faults` clears them.
 * - `GET /_local/health` answers `{"detector": "loading" | "ready" | "failed"}`.
 *
 * Inference is CPU-bound (hundreds of milliseconds per image), so the server and the detector run in a child
 * process rather than in the local cloud's process: its event loop never waits for an image, a crash or the
 * wasm heap stays in the child, the child has its own pid in cloud.json and stops like the other emulators.
 * A worker thread would spare the event loop too, but would share the process's memory and fate.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  type EmulatorOptions,
  EmulatorStartError,
  endpointFor,
  prepareDataDir,
  type RunningEmulator,
  sleep,
  startChildEmulator,
  waitForPort,
} from '../emulator';
import type { S3Credentials } from '../s3/s3rver';
import { childEnvironment, HEALTH_PATH } from './child-config';

export interface RekognitionOptions extends EmulatorOptions {
  /** The S3 API that Image.S3Object is read from (the local cloud's s3 emulator). */
  s3Endpoint: string;
  s3Credentials: S3Credentials;
  region: string;
  /**
   * Resolve only once the model has loaded (tests, benchmarks). By default start() resolves as soon as the
   * port answers and the model loads in the background; a request that comes first waits for it.
   */
  waitForModel?: boolean;
}

// tsx compiles the child's TypeScript on start; on a busy machine that and the model take tens of seconds.
const READY_TIMEOUT_MS = 120_000;
const HEALTH_POLL_MS = 100;

const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));

const waitForDetector = async (endpoint: string, signal: AbortSignal) => {
  for (;;) {
    signal.throwIfAborted();
    const response = await fetch(`${endpoint}${HEALTH_PATH}`, { signal });
    const health = (await response.json()) as { detector: string; error?: string };
    if (health.detector === 'ready') return;
    if (health.detector === 'failed')
      throw new EmulatorStartError(`rekognition: the detector failed to load: ${health.error}`);
    await sleep(HEALTH_POLL_MS);
  }
};

/** DetectLabels on 127.0.0.1:port, in a child process; stateless (dataDir is only its working directory). */
export const startRekognition = async ({
  port,
  dataDir,
  log,
  s3Endpoint,
  s3Credentials,
  region,
  waitForModel = false,
}: RekognitionOptions): Promise<RunningEmulator> => {
  const cwd = await prepareDataDir(dataDir);
  // The child is TypeScript, like the rest of the local cloud: run it through the same tsx loader.
  const tsx = createRequire(import.meta.url).resolve('tsx');
  const endpoint = endpointFor(port);
  return startChildEmulator({
    name: 'rekognition',
    port,
    timeoutMs: READY_TIMEOUT_MS,
    spawn: {
      command: process.execPath,
      args: ['--import', tsx, CHILD_ENTRY],
      cwd,
      env: childEnvironment({ port, s3Endpoint, s3Credentials, region }),
      log,
    },
    ready: async (signal) => {
      await waitForPort(port, READY_TIMEOUT_MS, signal);
      if (waitForModel) await waitForDetector(endpoint, signal);
    },
  });
};
