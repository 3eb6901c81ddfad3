import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  closeHttpServer,
  EmulatorStartError,
  endpointFor,
  LOOPBACK,
  once,
  type RunningEmulator,
} from '../emulator';
import { StepFunctionsApiError } from './errors';
import type { StepFunctionsService } from './executions';

/**
 * Step Functions' wire protocol, AWS JSON 1.0: POST /, the operation in `X-Amz-Target:
 * AWSStepFunctions.<Operation>`, timestamps as epoch seconds, errors as 400 with `__type`.
 * https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html
 */
const OPERATIONS: Record<
  string,
  (service: StepFunctionsService, request: Record<string, unknown>) => unknown
> = {
  StartExecution: (service, request) => service.startExecution(request),
  DescribeExecution: (service, request) => service.describeExecution(request),
  ListExecutions: (service, request) => service.listExecutions(request),
  GetExecutionHistory: (service, request) => service.getExecutionHistory(request),
  DescribeStateMachine: (service, request) => service.describeStateMachine(request),
  ListStateMachines: (service, request) => service.listStateMachines(request),
};

const TARGET_PREFIX = 'AWSStepFunctions.';

export async function startStepFunctionsServer(
  service: StepFunctionsService,
  options: { port: number; log?: (line: string) => void },
): Promise<RunningEmulator> {
  const server = createServer((request, response) => {
    void handle(service, request, response).catch((error: unknown) => {
      options.log?.(`step functions: ${String(error)}`);
      send(response, 500, { __type: 'InternalFailure', message: String(error) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new EmulatorStartError(`step functions could not listen on ${options.port}`, { cause: error })),
    );
    server.listen(options.port, LOOPBACK, resolve);
  });
  return {
    name: 'step-functions',
    endpoint: endpointFor(options.port),
    stop: once(async () => {
      await service.stop();
      await closeHttpServer(server);
    }),
  };
}

async function handle(service: StepFunctionsService, request: IncomingMessage, response: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(TARGET_PREFIX)
    ? OPERATIONS[target.slice(TARGET_PREFIX.length)]
    : undefined;
  if (request.method !== 'POST' || operation === undefined) {
    send(response, 400, {
      __type: 'UnknownOperationException',
      message: `The local cloud does not serve ${target || `${request.method} ${request.url}`}`,
    });
    return;
  }
  let body: Record<string, unknown>;
  try {
    const text = Buffer.concat(chunks).toString('utf8');
    body = (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>;
  } catch {
    send(response, 400, { __type: 'SerializationException', message: 'The request body is not JSON' });
    return;
  }
  try {
    send(response, 200, operation(service, body));
  } catch (error) {
    if (!(error instanceof StepFunctionsApiError)) throw error;
    send(response, 400, { __type: error.type, message: error.message });
  }
}

function send(response: ServerResponse, status: number, body: unknown) {
  if (response.headersSent) return;
  // AWS JSON 1.0 carries timestamps as epoch seconds.
  const text = JSON.stringify(body, function (key, value) {
    const original = (this as Record<string, unknown>)[key];
    return original instanceof Date ? original.getTime() / 1000 : value;
  });
  response.writeHead(status, {
    'Content-Type': 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
