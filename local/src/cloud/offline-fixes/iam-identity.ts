// IAM authorization (`authorizer: aws_iam`) between the front door and serverless-offline. serverless-
// offline 14 does not check aws_iam at all (it warns and serves such a route to anyone), and it takes
// cognito-identity-id and cognito-authentication-provider from request headers into
// requestContext.identity. The front door checks the SigV4 signature and the role's policy as API
// Gateway does (../iam-authorization.ts), then forwards the identity it established in a header with an
// HMAC under a secret that only the local cloud and its serverless-offline processes hold. The patched
// serverless-offline (patches.ts) refuses an aws_iam route without a valid one, as API Gateway refuses
// an unsigned request (403 Missing Authentication Token), and fills requestContext.identity only from
// it; every other request gets API Gateway's nulls there.
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html#context-variable-reference
import { createHmac, timingSafeEqual } from 'node:crypto';

export const IAM_IDENTITY_HEADER = 'x-local-cloud-iam-identity';
export const IAM_PROOF_HEADER = 'x-local-cloud-iam-proof';
export const IAM_PROOF_SECRET_VARIABLE = 'LOCAL_CLOUD_IAM_PROOF_SECRET';
/** Request headers no client may send through the front door: they would speak for the identity. */
export const IDENTITY_REQUEST_HEADERS = [
  IAM_IDENTITY_HEADER,
  IAM_PROOF_HEADER,
  'cognito-identity-id',
  'cognito-authentication-provider',
] as const;

/** requestContext.identity's fields that IAM authorization fills. */
export interface IamIdentity {
  accountId: string;
  caller: string;
  user: string;
  userArn: string;
  accessKey: string;
  cognitoIdentityId: string | null;
  cognitoIdentityPoolId: string | null;
  cognitoAuthenticationType: string | null;
  cognitoAuthenticationProvider: string | null;
}

const NO_IAM_IDENTITY = {
  accessKey: null,
  accountId: null,
  caller: null,
  user: null,
  userArn: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  cognitoAuthenticationType: null,
  cognitoAuthenticationProvider: null,
};

/** The two headers the front door adds to a request it authorized; bound to its method and URL. */
export function identityHeaders(
  identity: IamIdentity,
  request: { method: string; url: string },
  secret: string,
): Record<string, string> {
  const encoded = Buffer.from(JSON.stringify(identity)).toString('base64url');
  return { [IAM_IDENTITY_HEADER]: encoded, [IAM_PROOF_HEADER]: proof(encoded, request, secret) };
}

/** The identity the front door vouched for, or undefined when the headers are absent or do not check out. */
export function vouchedIdentity(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  request: { method: string; url: string },
  secret: string | undefined,
): IamIdentity | undefined {
  const encoded = headers[IAM_IDENTITY_HEADER];
  const sent = headers[IAM_PROOF_HEADER];
  if (!secret || typeof encoded !== 'string' || typeof sent !== 'string') return undefined;
  const expected = Buffer.from(proof(encoded, request, secret));
  const given = Buffer.from(sent);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  return JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')) as IamIdentity;
}

function proof(encoded: string, { method, url }: { method: string; url: string }, secret: string): string {
  return createHmac('sha256', secret)
    .update(`${method.toUpperCase()} ${url}\n${encoded}`)
    .digest('base64url');
}

// --- In serverless-offline (patches.ts) ----------------------------------------------------------

interface HapiRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  raw: { req: { url?: string; rawHeaders?: string[] } };
  app?: Record<string, unknown>;
}

const isIamRoute = (authorizer: unknown): boolean => {
  const type = typeof authorizer === 'string' ? authorizer : (authorizer as { type?: unknown } | null)?.type;
  return typeof type === 'string' && type.toUpperCase() === 'AWS_IAM';
};

/**
 * Run first for every request of serverless-offline's HTTP server: API Gateway's 403 for an aws_iam
 * route the front door did not authorize, else undefined. The identity headers never reach a function.
 */
export function iamGate(
  endpoint: { authorizer?: unknown },
  request: HapiRequest,
): { statusCode: number; errorType: string; body: { message: string } } | undefined {
  const identity = vouchedIdentity(
    request.headers,
    { method: request.method, url: request.raw.req.url ?? '' },
    process.env[IAM_PROOF_SECRET_VARIABLE],
  );
  for (const name of IDENTITY_REQUEST_HEADERS) delete request.headers[name];
  const raw = request.raw.req.rawHeaders;
  if (raw !== undefined) {
    const kept = raw.flatMap((value, index) =>
      index % 2 === 0 && !(IDENTITY_REQUEST_HEADERS as readonly string[]).includes(value.toLowerCase())
        ? [value, raw[index + 1] as string]
        : [],
    );
    raw.splice(0, raw.length, ...kept);
  }
  if (!isIamRoute(endpoint.authorizer)) return undefined;
  if (identity === undefined) {
    return {
      statusCode: 403,
      errorType: 'MissingAuthenticationTokenException',
      body: { message: 'Missing Authentication Token' },
    };
  }
  request.app = { ...request.app, iamIdentity: identity };
  return undefined;
}

/** requestContext.identity: the vouched identity of an aws_iam request, API Gateway's nulls otherwise. */
export function withIamIdentity(request: HapiRequest, offlineIdentity: Record<string, unknown>) {
  const vouched = request.app?.iamIdentity as IamIdentity | undefined;
  return { ...offlineIdentity, ...NO_IAM_IDENTITY, ...vouched };
}
