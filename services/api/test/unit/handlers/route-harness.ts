import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import type { HttpHandler } from '@serverless-patterns/shared/http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createLambdaContext } from '../factories';

export const TABLE_NAME = 'api-table';

/**
 * Loads a handler module as Lambda would, with its configuration in the environment, and answers its
 * DynamoDB commands from `respond` (the commands are kept in `sent`). Call `restore` when done.
 */
export function createRouteHarness() {
  const sent: { name: string; input: Record<string, unknown> }[] = [];
  let respond: (command: { name: string; input: Record<string, unknown> }) => unknown = () => ({});
  const originalSend = documentClient.send;
  const savedTableName = process.env.API_TABLE_NAME;

  return {
    sent,
    /** The next commands are answered by `responder`; by default every command succeeds with `{}`. */
    respondWith(responder: typeof respond) {
      respond = responder;
    },
    async load(handlerFile: string): Promise<HttpHandler> {
      process.env.API_TABLE_NAME = TABLE_NAME;
      documentClient.send = (async (command: {
        constructor: { name: string };
        input: Record<string, unknown>;
      }) => {
        const recorded = { name: command.constructor.name, input: command.input };
        sent.push(recorded);
        return respond(recorded);
      }) as typeof documentClient.send;
      const module = (await import(`../../../src/handlers/${handlerFile}`)) as { handler: HttpHandler };
      return module.handler;
    },
    reset() {
      sent.length = 0;
      respond = () => ({});
    },
    restore() {
      documentClient.send = originalSend;
      if (savedTableName === undefined) delete process.env.API_TABLE_NAME;
      else process.env.API_TABLE_NAME = savedTableName;
    },
  };
}

export interface Invocation {
  result: APIGatewayProxyResult;
  /** What the invocation printed: logs and EMF metrics. */
  output: string;
}

/** Invokes a handler with stdout and stderr captured, so that tests stay quiet and can read the logs. */
export async function invoke(handler: HttpHandler, event: APIGatewayProxyEvent): Promise<Invocation> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => chunks.push(String(chunk)) > 0) as typeof stream.write;
  }
  try {
    const result = await handler(event, createLambdaContext());
    return { result, output: chunks.join('') };
  } finally {
    streams.forEach((stream, index) => {
      const write = writes[index];
      if (write !== undefined) stream.write = write;
    });
  }
}

export function bodyOf(result: APIGatewayProxyResult): unknown {
  return JSON.parse(result.body);
}

export function errorOf(result: APIGatewayProxyResult): { code: string; message: string; details?: unknown } {
  return (bodyOf(result) as { error: { code: string; message: string; details?: unknown } }).error;
}
