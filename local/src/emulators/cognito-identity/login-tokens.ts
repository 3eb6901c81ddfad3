import {
  createJwksFetcher,
  defaultJwksUri,
  isLoopbackHost,
} from '@serverless-patterns/shared/authorizers/people/token-verifier';
import { JwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwtExpiredError, JwtInvalidIssuerError } from 'aws-jwt-verify/error';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import { AwsJsonError } from '../aws-json';

/**
 * The login tokens of an identity pool's Logins map, verified as Cognito Identity does: signed by a
 * key of the provider's JWKS, issued by the provider the key names (`https://<provider name>`; http for
 * a provider on loopback, such as cognito-local), unexpired, and for a user pool an ID token of one of
 * the pool's app clients.
 * https://docs.aws.amazon.com/cognito/latest/developerguide/open-id.html
 */

export interface LoginProvider {
  /** The Logins key: `cognito-idp.<region>.amazonaws.com/<pool id>`, or an OIDC issuer without https://. */
  name: string;
  kind: 'user-pool' | 'oidc';
  /** A user pool's app clients whose ID tokens the pool accepts. */
  clientIds: readonly string[];
}

export interface VerifiedLogin {
  provider: string;
  /** The app client (aud) of a user pool's token. */
  clientId?: string;
  subject: string;
  claims: Readonly<Record<string, unknown>>;
}

export interface LoginVerifier {
  verify(provider: LoginProvider, token: unknown): Promise<VerifiedLogin>;
}

export function createLoginVerifier(): LoginVerifier {
  const verifiers = new Map<string, ReturnType<typeof verifierFor>>();
  return {
    async verify(provider, token) {
      if (typeof token !== 'string' || token === '') throw invalidLogin('Token is missing.');
      const key = `${provider.kind} ${provider.name} ${provider.clientIds.join(',')}`;
      let verifier = verifiers.get(key);
      if (verifier === undefined) {
        verifier = verifierFor(provider);
        verifiers.set(key, verifier);
      }
      let claims: Record<string, unknown>;
      try {
        claims = (await (await verifier).verify(token)) as Record<string, unknown>;
      } catch (error) {
        throw loginError(error);
      }
      const audience = claims.aud;
      return {
        provider: provider.name,
        ...(provider.kind === 'user-pool' && typeof audience === 'string' ? { clientId: audience } : {}),
        subject: String(claims.sub),
        claims,
      };
    },
  };
}

export function issuerOf(providerName: string): string {
  const host = providerName.split('/')[0]?.split(':')[0] ?? '';
  return `${isLoopbackHost(host) ? 'http' : 'https'}://${providerName}`;
}

async function verifierFor(provider: LoginProvider) {
  const issuer = issuerOf(provider.name);
  const jwksUri = provider.kind === 'user-pool' ? defaultJwksUri(issuer) : await discoveredJwksUri(issuer);
  return JwtVerifier.create(
    {
      issuer,
      jwksUri,
      // An OIDC provider's audiences live in IAM's OIDC provider, which the local cloud does not keep.
      audience: provider.kind === 'user-pool' ? [...provider.clientIds] : null,
      customJwtCheck: ({ payload }) => {
        if (typeof payload.sub !== 'string' || payload.sub === '') throw new Error('sub is missing');
        // Identity pools take a user pool's ID token; its access token has no aud and is refused.
        if (provider.kind === 'user-pool' && payload.token_use !== 'id') {
          throw new Error('Not a valid OpenId Connect identity token.');
        }
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher: createJwksFetcher({ issuer }) }) },
  );
}

async function discoveredJwksUri(issuer: string): Promise<string> {
  const response = await fetch(`${issuer}/.well-known/openid-configuration`);
  const configuration = (await response.json()) as { jwks_uri?: unknown };
  if (typeof configuration.jwks_uri !== 'string') {
    throw new AwsJsonError('InvalidParameterException', `${issuer} publishes no jwks_uri`);
  }
  return configuration.jwks_uri;
}

function loginError(error: unknown): AwsJsonError {
  if (error instanceof AwsJsonError) return error;
  if (error instanceof FetchError) {
    return new AwsJsonError(
      'InternalErrorException',
      `The provider's keys could not be read: ${error.message}`,
      {
        statusCode: 500,
        cause: error,
      },
    );
  }
  if (error instanceof JwtExpiredError) return invalidLogin('Token expired.', error);
  if (error instanceof JwtInvalidIssuerError) return invalidLogin("Issuer doesn't match providerName", error);
  return invalidLogin(error instanceof Error ? error.message : String(error), error);
}

function invalidLogin(reason: string, cause?: unknown): AwsJsonError {
  return new AwsJsonError('NotAuthorizedException', `Invalid login token. ${reason}`, { cause });
}
