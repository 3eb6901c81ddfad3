import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for a Cognito user pool: RSA keys made here, a JWKS served from 127.0.0.1, tokens signed
// by hand (RS256 with kid), so every claim and signature can be bent one at a time.

export const CLIENT_ID = 'portal-client-id';
export const POOL_ID = 'local_pool1';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

export function createSigningKey(kid: string): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid, privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' } };
}

export function signJwt(
  key: Pick<SigningKey, 'kid' | 'privateKey'>,
  payload: Record<string, unknown>,
  header: Record<string, unknown> = {},
): string {
  const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header })}.${encode(payload)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

const now = () => Math.floor(Date.now() / 1000);

/** The claims Cognito puts in an ID token of a user in the admins and beta groups. */
export function idTokenClaims(
  issuer: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    sub: 'user-1',
    aud: CLIENT_ID,
    iss: issuer,
    token_use: 'id',
    email: 'ada@example.com',
    email_verified: true,
    'cognito:username': 'user-1',
    'cognito:groups': ['admins', 'beta'],
    auth_time: now(),
    iat: now(),
    exp: now() + 3600,
    ...overrides,
  };
}

/** The claims Cognito puts in an access token: client_id instead of aud, no email. */
export function accessTokenClaims(
  issuer: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    sub: 'user-1',
    client_id: CLIENT_ID,
    iss: issuer,
    token_use: 'access',
    scope: 'aws.cognito.signin.user.admin',
    username: 'user-1',
    'cognito:groups': ['beta'],
    auth_time: now(),
    iat: now(),
    exp: now() + 3600,
    ...overrides,
  };
}

export interface JwksServer {
  issuer: string;
  jwksUri: string;
  /** Paths requested so far. */
  requests: string[];
  close(): Promise<void>;
}

export async function startJwksServer(keys: SigningKey[]): Promise<JwksServer> {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    requests.push(request.url ?? '');
    if (request.url !== `/${POOL_ID}/.well-known/jwks.json`) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: keys.map((key) => key.jwk) }));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}/${POOL_ID}`;
  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    requests,
    close: () =>
      new Promise<void>((closed, failed) => {
        server.close((error) => (error ? failed(error) : closed()));
        server.closeAllConnections();
      }),
  };
}

/** Resolves to the rejection, failing the test when the promise resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** The innermost cause of an error chain: what actually refused the token. */
export function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current;
}
