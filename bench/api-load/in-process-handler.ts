import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
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
 * With a number of worker threads, the handler runs in that many instead, each loading the bundle and
 * serving one invocation at a time (the last one freed goes first), as the local cloud's execution
 * environments do: the same model without serverless-offline and the front door.
 *
 * argv: <bundle> <userId> <functionName> [workers]. Sends { port } to the parent once it listens.
 */
const [bundle, userId, functionName, workersArgument = '0'] = process.argv.slice(2);
if (bundle === undefined || userId === undefined || functionName === undefined) {
  throw new Error('usage: in-process-handler.ts <bundle> <userId> <functionName> [workers]');
}
type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const workers = Number(workersArgument);
const handler =
  workers > 0
    ? inWorkerThreads(workers)
    : (createRequire(import.meta.url)(bundle) as { handler: Handler }).handler;
const context = lambdaContext({ functionName });

function inWorkerThreads(count: number): Handler {
  const source = `const { parentPort, workerData } = require('node:worker_threads');
const { handler } = require(workerData.bundle);
parentPort.on('message', ({ event, context }) => {
  handler(event, { ...context, getRemainingTimeInMillis: () => 10_000 }).then(
    (result) => parentPort.postMessage({ result }),
    (error) => parentPort.postMessage({ error: String(error) }),
  );
});`;
  const idle = Array.from(
    { length: count },
    () => new Worker(source, { eval: true, workerData: { bundle } }),
  );
  const waiting: ((worker: Worker) => void)[] = [];
  return async (event, invocationContext) => {
    // A structured clone carries data, not functions: the worker gives the handler its own
    // getRemainingTimeInMillis.
    const clonable = Object.fromEntries(
      Object.entries(invocationContext).filter(([, value]) => typeof value !== 'function'),
    );
    const worker = idle.pop() ?? (await new Promise<Worker>((resolve) => waiting.push(resolve)));
    try {
      const answer = await new Promise<{ result?: APIGatewayProxyResult; error?: string }>((resolve) => {
        worker.once('message', resolve);
        worker.postMessage({ event, context: clonable });
      });
      if (answer.result === undefined) throw new Error(answer.error);
      return answer.result;
    } finally {
      const next = waiting.shift();
      if (next === undefined) idle.push(worker);
      else next(worker);
    }
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
