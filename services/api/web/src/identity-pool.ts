import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { PortalConfig } from './config';
import type { Session } from './session';

/**
 * Pattern 1, A and B in the browser: the signed-in person's ID token exchanged through the identity
 * pool for temporary credentials of the IAM role the pool maps them to (GetId, then
 * GetCredentialsForIdentity, over Cognito Identity's JSON protocol: both calls are unsigned), and
 * requests to IAM-authorized routes signed with them by the SDK's SigV4 signer.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html
 */

export interface AwsCredentials {
  identityId: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** A refusal of the identity pool (NotAuthorizedException...) or of the API (its 403 message). */
export class IdentityPoolError extends Error {
  override readonly name = 'IdentityPoolError';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** Credentials are fetched again this long before they expire. */
const RENEW_BEFORE_MS = 5 * 60 * 1000;

export function createIdentityPool(config: PortalConfig, session: Session) {
  const pool = config.identityPool;
  let cached: { credentials: AwsCredentials; userId: string } | undefined;

  async function call<T>(action: string, body: Record<string, unknown>): Promise<T> {
    if (pool === undefined) throw new IdentityPoolError('NotConfigured', 'This stage has no identity pool.');
    const response = await fetch(new URL(pool.endpoint, window.location.href).href, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `AWSCognitoIdentityService.${action}`,
      },
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const code =
        String(answer.__type ?? 'Error')
          .split('#')
          .at(-1) ?? 'Error';
      throw new IdentityPoolError(code, String(answer.message ?? answer.Message ?? response.statusText));
    }
    return answer as T;
  }

  /** The person's temporary credentials, fetched once and kept until shortly before they expire. */
  async function credentials(): Promise<AwsCredentials> {
    const user = session.user();
    if (pool === undefined || user === undefined) {
      throw new IdentityPoolError('NotConfigured', 'Sign in first, on a stage with an identity pool.');
    }
    if (
      cached?.userId === user.userId &&
      cached.credentials.expiration.getTime() - Date.now() > RENEW_BEFORE_MS
    ) {
      return cached.credentials;
    }
    const logins = { [pool.loginProvider]: await session.idToken() };
    const { IdentityId } = await call<{ IdentityId: string }>('GetId', {
      IdentityPoolId: pool.identityPoolId,
      Logins: logins,
    });
    const { Credentials } = await call<{
      Credentials: { AccessKeyId: string; SecretKey: string; SessionToken: string; Expiration: number };
    }>('GetCredentialsForIdentity', { IdentityId, Logins: logins });
    const fresh: AwsCredentials = {
      identityId: IdentityId,
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretKey,
      sessionToken: Credentials.SessionToken,
      expiration: new Date(Credentials.Expiration * 1000),
    };
    cached = { credentials: fresh, userId: user.userId };
    return fresh;
  }

  /** GET `path` of the API, signed for execute-api; the answer's JSON, or its refusal as an error. */
  async function signedGet<T>(path: string, signal?: AbortSignal): Promise<T> {
    const current = await credentials();
    const url = new URL(`${config.apiBaseUrl}${path}`, window.location.href);
    // No x-amz-content-sha256: API Gateway's CORS for these routes allows the signer's other headers only.
    const signer = new SignatureV4({
      credentials: current,
      region: config.region,
      service: 'execute-api',
      sha256: Sha256,
      applyChecksum: false,
    });
    const signed = await signer.sign({
      method: 'GET',
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host },
    });
    // The browser sends Host itself, with the value signed.
    const { host: _, ...headers } = signed.headers;
    const response = await fetch(url.href, { headers, ...(signal ? { signal } : {}) });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) {
      const error = body.error as { code?: string; message?: string } | undefined;
      throw new IdentityPoolError(
        error?.code ?? String(response.status),
        error?.message ?? String(body.message ?? body.Message ?? response.statusText),
      );
    }
    return body as T;
  }

  return { isAvailable: () => pool !== undefined, credentials, signedGet };
}

export type IdentityPool = ReturnType<typeof createIdentityPool>;
