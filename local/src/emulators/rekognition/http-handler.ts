import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { DetectLabelsResponse } from '@aws-sdk/client-rekognition';
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

const JSON_1_1 = 'application/x-amz-json-1.1';
const TARGET_PREFIX = 'RekognitionService.';

// Base64 makes 5 MB of image about 7 MB of JSON; a larger body holds an image over the limit.
const MAX_BODY_BYTES = Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 64 * 1024;

class BodyTooLargeError extends Error {}

/** The whole body; past `limit` it is drained, then refused (answering mid-upload would reset the connection). */
const readBody = async (request: IncomingMessage, limit: number): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw new BodyTooLargeError();
  return Buffer.concat(chunks);
};

const send = (
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  const payload = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(statusCode, { 'content-length': Buffer.byteLength(payload), ...headers });
  response.end(payload);
};

/** AWS JSON 1.1 error: the SDK picks the exception class from __type. */
const sendError = (response: ServerResponse, requestId: string, error: RekognitionServiceError) =>
  send(
    response,
    error.statusCode,
    { __type: error.type, Code: error.type, Message: error.message },
    { 'content-type': JSON_1_1, 'x-amzn-requestid': requestId, 'x-amzn-errortype': error.type },
  );

const parseJson = (body: Buffer): unknown => {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new RekognitionServiceError('SerializationException', 'Request body is not valid JSON', {
      cause: error,
    });
  }
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

const handleAwsRequest = async (
  request: IncomingMessage,
  response: ServerResponse,
  dependencies: RekognitionHandlerDependencies,
) => {
  const requestId = randomUUID();
  try {
    const target = String(request.headers['x-amz-target'] ?? '');
    const operation = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    const body = await readBody(request, MAX_BODY_BYTES).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) throw imageTooLarge();
      throw error;
    });
    // An injected fault fails the call as the service would, whatever the request holds.
    const fault = dependencies.faults.take(operation);
    if (fault !== undefined) throw fault;
    if (request.method !== 'POST' || operation !== 'DetectLabels')
      throw new RekognitionServiceError(
        'UnknownOperationException',
        `The local Rekognition serves DetectLabels only, not ${target || '(no X-Amz-Target)'}`,
      );
    const result = await detectLabels(parseJson(body), dependencies);
    send(response, 200, result, { 'content-type': JSON_1_1, 'x-amzn-requestid': requestId });
  } catch (error) {
    const serviceError =
      error instanceof RekognitionServiceError
        ? error
        : new RekognitionServiceError('InternalServerError', 'Internal server error', { cause: error });
    if (serviceError.type === 'InternalServerError' || serviceError.cause !== undefined)
      dependencies.log(
        `rekognition ${requestId}: ${serviceError.type}: ${serviceError.message}` +
          (serviceError.cause === undefined ? '' : ` (${String(serviceError.cause)})`),
      );
    sendError(response, requestId, serviceError);
  }
};

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
    send(response, 200, { faults: faults.armed() }, { 'content-type': 'application/json' });
    return;
  }
  if (request.method !== 'POST') {
    send(response, 405, { message: 'use POST, GET or DELETE' }, { 'content-type': 'application/json' });
    return;
  }
  let parsed: ReturnType<typeof faultRequestSchema.safeParse>;
  try {
    parsed = faultRequestSchema.safeParse(JSON.parse((await readBody(request, 64 * 1024)).toString('utf8')));
  } catch {
    send(response, 400, { message: 'body must be JSON' }, { 'content-type': 'application/json' });
    return;
  }
  if (!parsed.success) {
    send(response, 400, { message: parsed.error.message }, { 'content-type': 'application/json' });
    return;
  }
  faults.arm(parsed.data);
  send(response, 201, { faults: faults.armed() }, { 'content-type': 'application/json' });
};

const handleHealth = (response: ServerResponse, { detectorState }: RekognitionHandlerDependencies) => {
  const state = detectorState();
  send(
    response,
    200,
    { detector: state.status, error: state.status === 'failed' ? state.error.message : undefined },
    { 'content-type': 'application/json' },
  );
};

/** The Rekognition API (AWS JSON 1.1) on "/", and the local-only control routes under /_local. */
export const createRekognitionHandler =
  (dependencies: RekognitionHandlerDependencies): RequestListener =>
  (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const handled =
      path === FAULTS_PATH
        ? handleFaults(request, response, dependencies)
        : path === HEALTH_PATH
          ? Promise.resolve(handleHealth(response, dependencies))
          : handleAwsRequest(request, response, dependencies);
    handled.catch((error: unknown) => {
      dependencies.log(`rekognition: ${String(error)}`);
      if (!response.headersSent) send(response, 500, { message: 'Internal server error' });
      else response.destroy();
    });
  };
