import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { type ExecutionEnvironment, ExecutionEnvironmentPool } from '@serverless-patterns/local/testing';
import { apiGatewayProxyEvent, lambdaContext } from '@serverless-patterns/shared/testing';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

/**
 * api-load's baseline, in a process of its own (forked by api-load.ts): the api's getDevice handler,
 * the very bundle the local cloud runs, invoked in this process for each HTTP request with the event
 * API Gateway would pass it once the people authorizer let the caller in. It reads the same DynamoDB
 * Local with the function's own environment (given by the parent), so that what differs from the
 * local stack is the stack itself: the front door, serverless-offline and its worker threads, the
 * authorizer's cache, the log piping.
 *
 * With a number of worker threads, the handler runs in at most that many instead, each loading the
 * bundle and serving one invocation at a time, in the local cloud's own pool of execution environments
 * (execution-environments.ts): the same model without serverless-offline and the front door.
 *
 * argv: <bundle> <userId> <functionName> [workers]. Sends { port } to the parent once it listens.
 */
const [bundle, userId, functionName, workersArgument = '0'] = process.argv.slice(2);
if (bundle === undefined || userId === undefined || functionName === undefined) {
  throw new Error('usage: in-process-handler.ts <bundle> <userId> <functionName> [workers]');
}
type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const context = lambdaContext({ functionName });
const workers = Number(workersArgument);
const handler =
  workers > 0
    ? inWorkerThreads(workers)
    : (createRequire(import.meta.url)(bundle) as { handler: Handler }).handler;

/** In `count` execution environments of the local cloud's own pool, each a worker thread. */
function inWorkerThreads(count: number): Handler {
  const pool = new ExecutionEnvironmentPool<undefined>({
    create: workerEnvironment,
    concurrency: count,
    idleTimeoutMs: Number.POSITIVE_INFINITY,
    reuse: true,
  });
  return async (event) => {
    const invocation = pool.get(functionName as string, undefined);
    invocation.setEvent(event);
    return (await invocation.runHandler()) as APIGatewayProxyResult;
  };
}

const WORKER_SOURCE = `const { parentPort, workerData } = require('node:worker_threads');
const { handler } = require(workerData.bundle);
const context = { ...workerData.context, getRemainingTimeInMillis: () => 10_000 };
parentPort.on('message', (event) => {
  handler(event, context).then(
    (result) => parentPort.postMessage({ result }),
    (error) => parentPort.postMessage({ error: String(error) }),
  );
});`;

/** A worker thread that loads the bundle and runs one invocation at a time, as serverless-offline's do. */
function workerEnvironment(): ExecutionEnvironment {
  // A structured clone carries data, not functions: the worker gives the context its own
  // getRemainingTimeInMillis.
  const clonable = Object.fromEntries(
    Object.entries(context).filter(([, value]) => typeof value !== 'function'),
  );
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { bundle, context: clonable } });
  let event: unknown;
  return {
    setEvent: (value) => {
      event = value;
    },
    setClientContext: () => undefined,
    runHandler: () =>
      new Promise((resolve, reject) => {
        worker.once('message', (answer: { result?: unknown; error?: string }) => {
          if ('error' in answer) reject(new Error(answer.error));
          else resolve(answer.result);
        });
        worker.postMessage(event);
      }),
    cleanup: async () => {
      await worker.terminate();
    },
  };
}

const server = createServer((request, response) => {
  const deviceId = decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname.split('/')[2] ?? '');
  const event = apiGatewayProxyEvent({
    method: 'GET',
    resource: '/devices/{deviceId}',
    pathParameters: { deviceId },
    queryStringParameters: null,
    headers: { authorization: request.headers.authorization ?? '' },
    body: null,
    authorizer: { principalId: userId, userId, email: '', groups: '' },
  });
  handler(event, context).then(
    (result) => {
      response.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
    },
    (error: unknown) => {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
    },
  );
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
});
