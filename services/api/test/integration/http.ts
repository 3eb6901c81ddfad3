import { expect } from 'chai';
import { bearer, type Person } from './users';

// Plain HTTP to the API, as the portal and any other client reach it.

export interface ApiResponse {
  status: number;
  contentType: string;
  text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  json: unknown;
}

export interface ApiRequest {
  headers?: Record<string, string>;
  /** Sent as it is (raw JSON text, or malformed on purpose), with content-type application/json. */
  body?: string;
}

export async function send(
  baseUrl: string,
  method: string,
  path: string,
  { headers = {}, body }: ApiRequest = {},
): Promise<ApiResponse> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body,
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text,
    json: parse(text),
  };
}

function parse(text: string): unknown {
  try {
    return text === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

// A V8 stack frame ("    at fn (/path/file.ts:12:5)"), an absolute path to a source file, or the names
// Lambda gives a crash report: none of them may reach a caller.
const STACK_TRACE_SIGNS: readonly RegExp[] = [
  /^\s*at\s.+:\d+:\d+\)?\s*$/m,
  / {4}at /,
  /(?:file:\/\/|\/)[^\s"'()]*\/[^\s"'()]+\.(?:[cm]?[jt]s)\b/,
  /node_modules/,
  /"(?:stack|stackTrace|trace|errorType)"\s*:/,
];

export function expectNoStackTrace(response: Pick<ApiResponse, 'text'>, what = 'the response body'): void {
  for (const sign of STACK_TRACE_SIGNS) {
    expect(response.text, `${what} matches ${sign}: ${response.text.slice(0, 500)}`).not.to.match(sign);
  }
}

/** `{ error: { code, message } }` (with `details` for validation errors), as every handler answers. */
export function expectApiError(response: ApiResponse, code?: string): void {
  expect(response.contentType, response.text).to.match(/^application\/json/);
  const body = response.json as { error?: { code?: unknown; message?: unknown } } | undefined;
  expect(body, response.text).to.be.an('object').with.property('error').that.is.an('object');
  expect(body?.error?.code, response.text).to.be.a('string').that.is.not.empty;
  expect(body?.error?.message, response.text).to.be.a('string').that.is.not.empty;
  if (code !== undefined) expect(body?.error?.code, response.text).to.equal(code);
}

/**
 * serverless-offline answers 504 when a function outlasts its 10 s timeout (a cold start, or a machine
 * starved by other processes), and 401 when an authorizer fails in any way, such as a new authorizer
 * instance whose JWKS fetch timed out. Neither depends on the request. `stalled` tells such an answer
 * for the caller at hand; it is sent again, every 2 s for up to a minute, and each retry is reported.
 */
export async function patiently<T>(
  call: () => Promise<T>,
  stalled: (result: T) => boolean,
  onRetry: () => void = () => undefined,
): Promise<T> {
  const until = Date.now() + 60_000;
  for (;;) {
    const result = await call();
    if (!stalled(result) || Date.now() > until) return result;
    onRetry();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/** `send` for a caller with a valid token, who is never refused: a 401 or a 504 is a stall. */
export function sendSignedIn(
  baseUrl: string,
  method: string,
  path: string,
  request: ApiRequest = {},
): Promise<ApiResponse> {
  return patiently(
    () => send(baseUrl, method, path, request),
    (response) => response.status === 504 || response.status === 401,
  );
}

/** Every route's function and both people authorizers, once, with no lasting effect. */
export async function warmRoutes(apiUrl: string, person: Person, admin: Person): Promise<void> {
  const calls: [string, string, Person, string?][] = [
    ['GET', '/devices', person],
    ['POST', '/devices', person, '{}'],
    ['GET', '/devices/warm-up', person],
    ['PATCH', '/devices/warm-up', person, '{"thresholdC":20}'],
    ['DELETE', '/devices/warm-up', person],
    ['POST', '/devices/warm-up/token', person],
    ['GET', '/me', person],
    ['GET', '/admin/devices/count', admin],
  ];
  for (const [method, path, caller, body] of calls) {
    await sendSignedIn(apiUrl, method, path, { headers: bearer(caller.idToken), body });
  }
}
