/**
 * Entry point of the Rekognition child process (started by start-rekognition.ts). It listens first and loads the
 * model afterwards, so that the port answers at once; requests that arrive before the model wait for it.
 */
import { createServer } from 'node:http';
import { closeHttpServer, LOOPBACK } from '../emulator';
import { readChildConfig } from './child-config';
import { installOfflineModelFetch, loadObjectDetector, type ObjectDetector } from './detector';
import { createFaultPlan } from './faults';
import { createRekognitionHandler, type DetectorState } from './http-handler';
import { createS3ImageReader } from './s3-images';

const log = (line: string) => console.log(line);

const main = () => {
  const { port, s3Endpoint, s3Credentials, region } = readChildConfig(process.env);
  installOfflineModelFetch();

  let state: DetectorState = { status: 'loading' };
  let loading: Promise<ObjectDetector> | undefined;
  const loadDetectorOnce = () => {
    if (loading !== undefined) return loading;
    const began = performance.now();
    loading = loadObjectDetector();
    loading.then(
      () => {
        state = { status: 'ready' };
        log(`rekognition: CenterNet loaded and warmed up in ${Math.round(performance.now() - began)} ms`);
      },
      (error: unknown) => {
        state = { status: 'failed', error: error instanceof Error ? error : new Error(String(error)) };
        log(`rekognition: the detector failed to load: ${error instanceof Error ? error.stack : error}`);
      },
    );
    return loading;
  };

  const server = createServer(
    createRekognitionHandler({
      detector: loadDetectorOnce,
      detectorState: () => state,
      readS3Image: createS3ImageReader({ endpoint: s3Endpoint, credentials: s3Credentials, region }),
      faults: createFaultPlan(),
      log,
    }),
  );
  server.once('error', (error) => {
    log(`rekognition could not listen on ${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, LOOPBACK, () => {
    log(`rekognition: listening on ${LOOPBACK}:${port}; loading CenterNet`);
    loadDetectorOnce();
  });

  const shutDown = () => {
    closeHttpServer(server).finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutDown);
  process.once('SIGINT', shutDown);
  // A local cloud killed with SIGKILL cannot stop its children; this one holds a model and a port, so it
  // leaves when it is re-parented.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutDown();
  }, 2_000).unref();
};

main();
