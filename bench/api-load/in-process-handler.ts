import { createServer } from 'node:http';
import { createRequire } from 'node:module';
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
 * argv: <bundle> <userId> <functionName>. Sends { port } to the parent once it listens.
 */
const [bundle, userId, functionName] = process.argv.slice(2);
if (bundle === undefined || userId === undefined || functionName === undefined) {
  throw new Error('usage: in-process-handler.ts <bundle> <userId> <functionName>');
}
type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
const { handler } = createRequire(import.meta.url)(bundle) as { handler: Handler };
const context = lambdaContext({ functionName });

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
