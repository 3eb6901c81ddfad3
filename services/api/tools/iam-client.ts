import { Sha256 } from '@aws-crypto/sha256-js';
import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity';
import { SignatureV4 } from '@smithy/signature-v4';

// Pattern 1, A and B from a script: a person's ID token exchanged through the identity pool for
// temporary credentials of the role the pool maps them to, and requests to IAM-authorized routes
// signed with them by the SDK's SigV4 signer. The same calls work against AWS (no endpoint) and the
// local cloud (its Cognito Identity endpoint).
// https://docs.aws.amazon.com/cognito/latest/developerguide/authentication-flow.html

export interface IdentityPoolSettings {
  region: string;
  identityPoolId: string;
  /** The Logins key of the user pool: IdentityPoolLoginProvider (cognito-idp.<region>.amazonaws.com/<pool id>). */
  loginProvider: string;
  /** The Cognito Identity endpoint; AWS's when left out. */
  endpoint?: string;
}

export interface TemporaryCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  expiration?: Date;
}

/** GetId then GetCredentialsForIdentity, through the SDK's own credential provider. */
export async function identityPoolCredentials(
  settings: IdentityPoolSettings,
  idToken: string,
): Promise<TemporaryCredentials & { identityId: string }> {
  const client = new CognitoIdentityClient({
    region: settings.region,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    // The identity pool's public operations are unsigned; the SDK still wants a value here.
    credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' },
  });
  try {
    const provider = fromCognitoIdentityPool({
      client: client as never,
      identityPoolId: settings.identityPoolId,
      logins: { [settings.loginProvider]: idToken },
    });
    const credentials = await provider();
    return {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken as string,
      ...(credentials.expiration === undefined ? {} : { expiration: credentials.expiration }),
      identityId: (credentials as { identityId?: string }).identityId ?? '',
    };
  } finally {
    client.destroy();
  }
}

export interface SignedRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
}

/** A request to `baseUrl` + `path` signed for execute-api in `region` (the SDK adds host, date, token). */
export async function signRequest(
  credentials: TemporaryCredentials,
  region: string,
  request: { baseUrl: string; method: string; path: string; body?: string },
): Promise<SignedRequest> {
  const url = new URL(`${request.baseUrl.replace(/\/+$/, '')}${request.path}`);
  const signer = new SignatureV4({ credentials, region, service: 'execute-api', sha256: Sha256 });
  const signed = await signer.sign({
    method: request.method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port === '' ? {} : { port: Number(url.port) }),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: {
      host: url.host,
      ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(request.body === undefined ? {} : { body: request.body }),
  });
  return {
    url: url.href,
    method: request.method,
    headers: signed.headers as Record<string, string>,
    ...(request.body === undefined ? {} : { body: request.body }),
  };
}
