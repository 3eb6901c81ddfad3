import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type * as z from 'zod';
import { type FieldIssue, PayloadTooLargeError, toHttpError, ValidationError } from './errors';

export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

// A wildcard origin is safe: the API authorizes with a bearer token, not cookies, so browsers send no credentials.
const CORS_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization,content-type',
  'access-control-allow-methods': 'GET,POST,PUT,PATCH,DELETE,OPTIONS',
};

export type HttpHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export function parseJsonBody<S extends z.ZodType>(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>,
  schema: S,
  options: { maxBytes?: number } = {},
): z.infer<S> {
  const { maxBytes = DEFAULT_MAX_BODY_BYTES } = options;
  const { body, isBase64Encoded } = event;
  if (body === null || body === undefined || body === '')
    throw new ValidationError('Request body is required');
  const encoding = isBase64Encoded ? 'base64' : 'utf8';
  // byteLength of a base64 string is its decoded size, so an oversized body is refused before it is decoded.
  if (Buffer.byteLength(body, encoding) > maxBytes) {
    throw new PayloadTooLargeError(`Request body must be at most ${maxBytes} bytes`);
  }
  let value: unknown;
  try {
    value = JSON.parse(isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body);
  } catch (error) {
    throw new ValidationError('Request body is not valid JSON', { cause: error });
  }
  return parseWith(schema, value, 'request body');
}

export function parsePathParameters<S extends z.ZodType>(
  event: Pick<APIGatewayProxyEvent, 'pathParameters'>,
  schema: S,
): z.infer<S> {
  return parseWith(schema, event.pathParameters ?? {}, 'path parameters');
}

export function parseQueryParameters<S extends z.ZodType>(
  event: Pick<APIGatewayProxyEvent, 'queryStringParameters'>,
  schema: S,
): z.infer<S> {
  return parseWith(schema, event.queryStringParameters ?? {}, 'query parameters');
}

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { ...CORS_HEADERS, 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body) ?? 'null',
  };
}

export function noContent(): APIGatewayProxyResult {
  return { statusCode: 204, headers: { ...CORS_HEADERS }, body: '' };
}

export function httpHandler(
  fn: HttpHandler,
  options: { onError?: (error: unknown) => void } = {},
): HttpHandler {
  return async (event, context) => {
    try {
      return await fn(event, context);
    } catch (error) {
      options.onError?.(error);
      const { statusCode, body } = toHttpError(error);
      return json(statusCode, body);
    }
  };
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, source: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = fieldIssues(result.error);
  const paths = [...new Set(details.map((issue) => issue.path))];
  throw new ValidationError(`Invalid ${source} at ${paths.join(', ')}`, { cause: result.error, details });
}

/**
 * A schema's issues as the client sees them in `details`: a dotted path (`(root)` for the value
 * itself) and a message each, one entry per unknown key.
 */
export function fieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap(toFieldIssues);
}

function toFieldIssues(issue: z.core.$ZodIssue): FieldIssue[] {
  // zod reports unknown keys once at the parent object; one entry per key lets the client see which field to drop.
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'Unknown field' }));
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}
