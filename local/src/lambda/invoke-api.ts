import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { endpointFor, listenOnLoopback, once, type RunningEmulator } from '../emulators/emulator';
import { functionNameOf } from './function-arn';
import type { LambdaInvoker } from './invoker';

/**
 * Lambda's Invoke API for the functions' own SDK clients (AWS_ENDPOINT_URL_LAMBDA), in front of every
 * service's functions: `RequestResponse` runs the function and answers its result (with
 * X-Amz-Function-Error when it failed), `Event` accepts at once (202) and hands the event to the local
 * cloud's asynchronous invoker, with Lambda's retries and on-failure destination; `DryRun` checks the
 * function exists (204). Each serverless-offline serves its own service's functions only, and runs an
 * Event invocation without Lambda's retries: this one serves them all with AWS's semantics.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export async function startInvokeApi({
  port,
  invoker,
  invokeAsync,
  hasFunction,
}: {
  port: number;
  invoker: LambdaInvoker;
  invokeAsync(functionName: string, payload: unknown): void;
  hasFunction(functionName: string): boolean;
}): Promise<RunningEmulator> {
  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) =>
      answer(response, 500, { Type: 'Service', Message: String(error) }, 'ServiceException'),
    );
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations(?:\?.*)?$/.exec(request.url ?? '');
    if (request.method !== 'POST' || match === null) {
      answer(
        response,
        404,
        { Type: 'User', Message: `${request.method} ${request.url} is not served` },
        'UnknownOperationException',
      );
      return;
    }
    const functionName = functionNameOf(decodeURIComponent(match[1] as string));
    if (functionName === undefined || !hasFunction(functionName)) {
      answer(
        response,
        404,
        { Type: 'User', Message: `Function not found: ${match[1]}` },
        'ResourceNotFoundException',
      );
      return;
    }
    const body = await readBody(request);
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      answer(
        response,
        400,
        { Type: 'User', Message: 'Could not parse request body into json' },
        'InvalidRequestContentException',
      );
      return;
    }
    const invocationType = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (invocationType === 'DryRun') {
      response.writeHead(204).end();
      return;
    }
    if (invocationType === 'Event') {
      invokeAsync(functionName, payload);
      response.writeHead(202, { 'content-length': '0' }).end();
      return;
    }
    const result = await invoker.invoke(functionName, payload);
    const text = result.payload === undefined ? '' : JSON.stringify(result.payload);
    response.writeHead(200, {
      'content-type': 'application/json',
      'x-amz-executed-version': '$LATEST',
      ...(result.functionError === undefined ? {} : { 'x-amz-function-error': result.functionError }),
    });
    response.end(text);
  }

  await listenOnLoopback(server, port, 'lambda');
  return {
    name: 'lambda',
    endpoint: endpointFor(port),
    stop: once(
      () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
    ),
  };
}

function answer(
  response: ServerResponse,
  status: number,
  body: Record<string, string>,
  errorType: string,
): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.writeHead(status, { 'content-type': 'application/json', 'x-amzn-errortype': errorType });
  response.end(JSON.stringify({ ...body, message: body.Message }));
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}
