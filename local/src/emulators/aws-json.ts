/**
 * The AWS JSON protocols (1.0 and 1.1), which the unchanged SDK clients speak to Step Functions,
 * EventBridge, Rekognition, Firehose, Cognito Identity...: `POST /`, the operation in
 * `X-Amz-Target: <Prefix>.<Operation>`, a JSON body, timestamps as epoch seconds, and errors as a
 * JSON body whose `__type` names the exception the SDK throws, with the status AWS sends it with.
 * Every local server of such an API reads its requests and writes its answers here.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
 * https://smithy.io/2.0/aws/protocols/aws-json-1_1-protocol.html
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

export type AwsJsonVersion = '1.0' | '1.1';

/** An exception of the service: the SDK throws the one named `type`. */
export class AwsJsonError extends Error {
  override readonly name: string = 'AwsJsonError';
  readonly type: string;
  readonly statusCode: number;

  constructor(type: string, message: string, options?: ErrorOptions & { statusCode?: number }) {
    super(message, options);
    this.type = type;
    this.statusCode = options?.statusCode ?? 400;
  }

  /** The error's body; a service whose errors carry other fields (Rekognition's Code) overrides it. */
  body(): Record<string, unknown> {
    return { __type: this.type, message: this.message };
  }
}

/** A request body over the limit; it has been read to its end (answering mid-upload resets the connection). */
export class RequestBodyTooLargeError extends Error {
  override readonly name: string = 'RequestBodyTooLargeError';
}

export type AwsJsonOperation = (input: Record<string, unknown>) => unknown;

export interface AwsJsonApi {
  /** The service in messages: 'Step Functions'. */
  serviceName: string;
  version: AwsJsonVersion;
  /** What X-Amz-Target starts with, before the dot: 'AWSStepFunctions'. */
  targetPrefix: string;
  /** The operations served, by name; each returns the output (or a promise of it), or throws. */
  operations: Readonly<Record<string, AwsJsonOperation>>;
  /** The `__type` of a 500 answer: each service names its own (InternalFailure, InternalServerError...). */
  internalErrorType: string;
  /** Default 1 MiB. */
  maxBodyBytes?: number;
  /** The answer to a body over maxBodyBytes; default a 413 ValidationException. */
  bodyTooLarge?: () => AwsJsonError;
  /** An operation's own errors as the service's exceptions; AwsJsonErrors need no mapping. */
  serviceErrorOf?: (error: unknown) => AwsJsonError | undefined;
  /** Asked before every call: an error to answer instead (faults injected by tests). */
  faultFor?: (operation: string) => AwsJsonError | undefined;
  log?: (line: string) => void;
}

const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The whole body; past `limit` it is read to its end and refused with RequestBodyTooLargeError. */
export async function readRequestBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  if (size > limit) throw new RequestBodyTooLargeError(`the request body is over ${limit} bytes`);
  return Buffer.concat(chunks);
}

/** The HTTP handler of an AWS JSON API: reads the call, runs the operation, answers as AWS does. */
export function awsJsonListener(api: AwsJsonApi): RequestListener {
  const log = api.log ?? (() => undefined);
  return (request, response) => {
    const requestId = randomUUID();
    answer(api, request, response, requestId).catch((error: unknown) => {
      log(`${api.serviceName} ${requestId}: ${String(error)}`);
      if (response.headersSent) response.destroy();
      else writeAwsJsonError(response, api, internalError(api, error), requestId);
    });
  };
}

async function answer(
  api: AwsJsonApi,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
) {
  try {
    const output = await call(api, request);
    writeAwsJson(response, api.version, 200, output, requestId);
  } catch (error) {
    const serviceError =
      error instanceof AwsJsonError ? error : (api.serviceErrorOf?.(error) ?? internalError(api, error));
    if (serviceError.statusCode >= 500 || serviceError.cause !== undefined) {
      const cause = serviceError.cause === undefined ? '' : ` (${String(serviceError.cause)})`;
      api.log?.(`${api.serviceName} ${requestId}: ${serviceError.type}: ${serviceError.message}${cause}`);
    }
    writeAwsJsonError(response, api, serviceError, requestId);
  }
}

async function call(api: AwsJsonApi, request: IncomingMessage): Promise<unknown> {
  const body = await readRequestBody(request, api.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES).catch(
    (error: unknown) => {
      if (!(error instanceof RequestBodyTooLargeError)) throw error;
      throw (
        api.bodyTooLarge?.() ??
        new AwsJsonError('ValidationException', 'Request body is too large.', {
          statusCode: 413,
        })
      );
    },
  );
  const target = String(request.headers['x-amz-target'] ?? '');
  const name = target.startsWith(`${api.targetPrefix}.`) ? target.slice(api.targetPrefix.length + 1) : target;
  const fault = api.faultFor?.(name);
  if (fault !== undefined) throw fault;
  const operation = Object.hasOwn(api.operations, name) ? api.operations[name] : undefined;
  if (request.method !== 'POST' || operation === undefined) {
    const served = Object.keys(api.operations).join(', ');
    throw new AwsJsonError(
      'UnknownOperationException',
      `The local ${api.serviceName} serves ${served}, not ${target || `${request.method} ${request.url}`}`,
    );
  }
  return operation(parseInput(body));
}

function parseInput(body: Buffer): Record<string, unknown> {
  const text = body.toString('utf8');
  let input: unknown;
  try {
    input = text === '' ? {} : JSON.parse(text);
  } catch (error) {
    throw new AwsJsonError('SerializationException', 'Request body is not valid JSON.', { cause: error });
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    throw new AwsJsonError('SerializationException', 'Request body is not a JSON object.');
  return input as Record<string, unknown>;
}

function internalError(api: AwsJsonApi, cause: unknown): AwsJsonError {
  return new AwsJsonError(api.internalErrorType, 'Internal server error', { statusCode: 500, cause });
}

/** A 2xx answer; Dates become epoch seconds, the protocol's timestamps. */
export function writeAwsJson(
  response: ServerResponse,
  version: AwsJsonVersion,
  statusCode: number,
  body: unknown,
  requestId: string = randomUUID(),
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return;
  const text =
    body === undefined
      ? ''
      : JSON.stringify(body, function (key, value) {
          const original = (this as Record<string, unknown>)[key];
          return original instanceof Date ? original.getTime() / 1000 : value;
        });
  response.writeHead(statusCode, {
    'content-type': `application/x-amz-json-${version}`,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': requestId,
    ...headers,
  });
  response.end(text);
}

/** An exception, with its status; the SDK reads the type from `__type` or X-Amzn-ErrorType. */
export function writeAwsJsonError(
  response: ServerResponse,
  api: Pick<AwsJsonApi, 'version'>,
  error: AwsJsonError,
  requestId: string = randomUUID(),
): void {
  writeAwsJson(response, api.version, error.statusCode, error.body(), requestId, {
    'x-amzn-errortype': error.type,
  });
}
