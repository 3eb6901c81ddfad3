import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { DetectLabelsResponse } from '@aws-sdk/client-rekognition';
import { awsJsonListener, readRequestBody } from '../aws-json';
import { FAULTS_PATH, HEALTH_PATH } from './child-config';
import { decodeForDetector } from './decode-image';
import {
  LABEL_MODEL_VERSION,
  labelsFromDetections,
  MAX_IMAGE_BYTES,
  parseDetectLabelsRequest,
} from './detect-labels';
import type { ObjectDetector } from './detector';
import { imageTooLarge, RekognitionServiceError } from './errors';
import { type FaultPlan, faultRequestSchema } from './faults';
import type { ReadS3Image } from './s3-images';

export type DetectorState = { status: 'loading' } | { status: 'ready' } | { status: 'failed'; error: Error };

export interface RekognitionHandlerDependencies {
  /** The detector once its model has loaded; requests that arrive before wait for it. */
  detector: () => Promise<ObjectDetector>;
  detectorState: () => DetectorState;
  readS3Image: ReadS3Image;
  faults: FaultPlan;
  log: (line: string) => void;
}

// Base64 makes 5 MB of image about 7 MB of JSON; a larger body holds an image over the limit.
const MAX_BODY_BYTES = Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 64 * 1024;

/** The local-only control routes answer plain JSON. */
const send = (response: ServerResponse, statusCode: number, body: unknown) => {
  const payload = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-length': Buffer.byteLength(payload),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  });
  response.end(payload);
};

const detectLabels = async (body: unknown, dependencies: RekognitionHandlerDependencies) => {
  const input = parseDetectLabelsRequest(body);
  const bytes =
    input.image.kind === 'bytes' ? input.image.bytes : await dependencies.readS3Image(input.image);
  const image = await decodeForDetector(bytes);
  const detector = await dependencies.detector().catch((error: unknown) => {
    throw new RekognitionServiceError(
      'InternalServerError',
      `the local detector failed to load: ${String(error)}`,
    );
  });
  const detections = await detector.detect(image);
  const response: DetectLabelsResponse = {
    Labels: input.wantsLabels ? labelsFromDetections(detections, input) : undefined,
    LabelModelVersion: LABEL_MODEL_VERSION,
  };
  return response;
};

/** The Rekognition API, AWS JSON 1.1 (`X-Amz-Target: RekognitionService.DetectLabels`). */
const rekognitionApi = (dependencies: RekognitionHandlerDependencies) =>
  awsJsonListener({
    serviceName: 'Rekognition',
    version: '1.1',
    targetPrefix: 'RekognitionService',
    operations: { DetectLabels: (input) => detectLabels(input, dependencies) },
    internalErrorType: 'InternalServerError',
    maxBodyBytes: MAX_BODY_BYTES,
    bodyTooLarge: () => imageTooLarge(),
    // Everything else the service answers in its own error shape.
    serviceErrorOf: (error) =>
      new RekognitionServiceError('InternalServerError', 'Internal server error', { cause: error }),
    // An injected fault fails the call as the service would, whatever the request holds.
    faultFor: (operation) => dependencies.faults.take(operation),
    log: dependencies.log,
  });

const handleFaults = async (
  request: IncomingMessage,
  response: ServerResponse,
  { faults }: RekognitionHandlerDependencies,
) => {
  if (request.method === 'DELETE') {
    faults.clear();
    send(response, 204, undefined);
    return;
  }
  if (request.method === 'GET') {
    send(response, 200, { faults: faults.armed() });
    return;
  }
  if (request.method !== 'POST') {
    send(response, 405, { message: 'use POST, GET or DELETE' });
    return;
  }
  let parsed: ReturnType<typeof faultRequestSchema.safeParse>;
  try {
    parsed = faultRequestSchema.safeParse(
      JSON.parse((await readRequestBody(request, 64 * 1024)).toString('utf8')),
    );
  } catch {
    send(response, 400, { message: 'body must be JSON' });
    return;
  }
  if (!parsed.success) {
    send(response, 400, { message: parsed.error.message });
    return;
  }
  faults.arm(parsed.data);
  send(response, 201, { faults: faults.armed() });
};

const handleHealth = (response: ServerResponse, { detectorState }: RekognitionHandlerDependencies) => {
  const state = detectorState();
  send(response, 200, {
    detector: state.status,
    error: state.status === 'failed' ? state.error.message : undefined,
  });
};

/** The Rekognition API (AWS JSON 1.1) on "/", and the local-only control routes under /_local. */
export const createRekognitionHandler = (dependencies: RekognitionHandlerDependencies): RequestListener => {
  const api = rekognitionApi(dependencies);
  return (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== FAULTS_PATH && path !== HEALTH_PATH) {
      api(request, response);
      return;
    }
    const handled =
      path === FAULTS_PATH
        ? handleFaults(request, response, dependencies)
        : Promise.resolve(handleHealth(response, dependencies));
    handled.catch((error: unknown) => {
      dependencies.log(`rekognition: ${String(error)}`);
      if (!response.headersSent) send(response, 500, { message: 'Internal server error' });
      else response.destroy();
    });
  };
};
