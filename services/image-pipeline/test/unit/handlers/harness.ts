import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { rekognition } from '@serverless-patterns/shared/clients/rekognition';
import { s3 } from '@serverless-patterns/shared/clients/s3';
import { stepFunctions } from '@serverless-patterns/shared/clients/step-functions';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface SentCommand {
  client: 'dynamodb' | 's3' | 'sfn' | 'rekognition';
  name: string;
  input: Record<string, unknown>;
}

type Sender = { send: (...args: never[]) => unknown };
const CLIENTS: [SentCommand['client'], Sender][] = [
  ['dynamodb', documentClient as unknown as Sender],
  ['s3', s3 as unknown as Sender],
  ['sfn', stepFunctions as unknown as Sender],
  ['rekognition', rekognition as unknown as Sender],
];

export const ENVIRONMENT = {
  IMAGES_TABLE_NAME: 'images-table',
  IMAGES_BUCKET_NAME: 'images-bucket',
  STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:process-image',
  // Presigning signs locally with the function's credentials, as in Lambda.
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

/**
 * Loads handler modules as Lambda would, with their configuration in the environment, and answers the
 * shared clients' commands from `respond` (every command is kept in `sent`). Call `restore` when done.
 */
export function createHandlerHarness() {
  const sent: SentCommand[] = [];
  let respond: (command: SentCommand) => unknown = () => ({});
  const originals = CLIENTS.map(([, client]) => client.send);
  const saved = Object.fromEntries(Object.keys(ENVIRONMENT).map((name) => [name, process.env[name]]));

  return {
    sent,
    respondWith(responder: typeof respond) {
      respond = responder;
    },
    async load<T>(handlerFile: string): Promise<T> {
      Object.assign(process.env, ENVIRONMENT);
      for (const [name, client] of CLIENTS) {
        client.send = (async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
          const recorded = { client: name, name: command.constructor.name, input: command.input };
          sent.push(recorded);
          return respond(recorded);
        }) as never;
      }
      return ((await import(`../../../src/handlers/${handlerFile}`)) as { handler: T }).handler;
    },
    reset() {
      sent.length = 0;
      respond = () => ({});
    },
    restore() {
      CLIENTS.forEach(([, client], index) => {
        client.send = originals[index] as never;
      });
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    },
  };
}

/** Runs fn with stdout and stderr captured, so that tests stay quiet and can read logs and metrics. */
export async function quietly<T>(
  fn: () => Promise<T>,
): Promise<{ result: PromiseSettledResult<T>; output: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((stream) => stream.write);
  for (const stream of streams) {
    stream.write = ((chunk: string | Uint8Array) => chunks.push(String(chunk)) > 0) as typeof stream.write;
  }
  try {
    const [result] = await Promise.allSettled([fn()]);
    if (result === undefined) throw new Error('no result');
    return { result, output: chunks.join('') };
  } finally {
    streams.forEach((stream, index) => {
      const write = writes[index];
      if (write !== undefined) stream.write = write;
    });
  }
}

/** An API Gateway proxy event that the people authorizer let in, for `userId`. */
export function routeEvent(
  overrides: Partial<APIGatewayProxyEvent> & { userId?: string } = {},
): APIGatewayProxyEvent {
  const { userId = 'owner-1', ...rest } = overrides;
  return {
    body: null,
    headers: {},
    multiValueHeaders: {},
    httpMethod: 'GET',
    isBase64Encoded: false,
    path: '/',
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    resource: '/',
    requestContext: {
      authorizer: { userId, email: `${userId}@example.com`, groups: '' },
    } as unknown as APIGatewayProxyEvent['requestContext'],
    ...rest,
  };
}
