import { isIPv4 } from 'node:net';
import { JwtVerifier } from 'aws-jwt-verify';
import { FetchError, JwksValidationError, NonRetryableFetchError } from 'aws-jwt-verify/error';
import { type Fetcher, SimpleFetcher } from 'aws-jwt-verify/https';
import { SimpleJwksCache } from 'aws-jwt-verify/jwk';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';

// Verification of a person's Cognito user-pool JWT, shared by the people (TOKEN) and admin (REQUEST)
// authorizers. It is the same code against Cognito in AWS and against cognito-local, which signs RS256
// tokens and serves its JWKS at <issuer>/.well-known/jwks.json.
// https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html

export const TOKEN_USES = ['id', 'access'] as const;
export type TokenUse = (typeof TOKEN_USES)[number];

export interface PeopleTokenOptions {
  /**
   * Expected `iss`: https://cognito-idp.<region>.amazonaws.com/<poolId> in AWS,
   * http://127.0.0.1:<port>/<poolId> with cognito-local.
   */
  issuer: string;
  /** Defaults to <issuer>/.well-known/jwks.json, where both Cognito and cognito-local publish their keys. */
  jwksUri?: string;
  /** The app client id: the `aud` of an ID token, the `client_id` of an access token. */
  clientId: string;
  tokenUse: TokenUse;
  /** JWKS transports, for tests. Defaults: aws-jwt-verify's https fetcher; fetch() for loopback http. */
  fetchers?: { https?: Fetcher; http?: Fetcher };
}

/** What a verified token says about the person; every field comes from signed claims. */
export interface VerifiedPerson {
  /** The `sub` claim: stable and never reassigned, unlike the username or email. */
  userId: string;
  /** '' when the token carries none (access tokens have no email claim). */
  email: string;
  /** `cognito:groups`, [] when the user is in no group. */
  groups: string[];
  tokenUse: TokenUse;
}

export interface PeopleTokenVerifier {
  /** Verifies `Authorization: Bearer <jwt>`; rejects with InvalidTokenError when the token must get a 401. */
  verifyAuthorization(authorization: string | undefined): Promise<VerifiedPerson>;
}

/** The token is missing, malformed, forged, expired or meant for another issuer, client or use. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
}

/** A JWKS address that is not a URL, or plain http off loopback: configuration, never a caller's fault. */
export class JwksUriRefusedError extends Error {
  override readonly name = 'JwksUriRefusedError';
}

const BEARER = /^Bearer +(\S+)$/i;
const JWKS_TIMEOUT_MS = 3_000;

// Cognito signs user-pool tokens with RS256 only; pinning the algorithm closes algorithm-confusion tricks.
const SIGNING_ALGORITHM = 'RS256';

export function createPeopleTokenVerifier(options: PeopleTokenOptions): PeopleTokenVerifier {
  const { issuer, clientId, tokenUse } = options;
  const jwksUri = options.jwksUri ?? defaultJwksUri(issuer);
  assertJwksUriAllowed(issuer, jwksUri);
  const fetcher = createJwksFetcher({ issuer, ...options.fetchers });

  const verifier = JwtVerifier.create(
    {
      issuer,
      jwksUri,
      // An access token has no `aud`; its client is in `client_id`, checked below.
      // https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-the-access-token.html
      audience: tokenUse === 'id' ? clientId : null,
      customJwtCheck: ({ header, payload }) => {
        if (header.alg !== SIGNING_ALGORITHM) throw new InvalidTokenError(`alg must be ${SIGNING_ALGORITHM}`);
        // aws-jwt-verify checks exp only when present; a Cognito token always has one.
        if (typeof payload.exp !== 'number') throw new InvalidTokenError('exp is missing');
        // ID and access tokens of a pool share issuer and keys: only token_use tells them apart.
        if (payload.token_use !== tokenUse) throw new InvalidTokenError(`token_use must be ${tokenUse}`);
        if (tokenUse === 'access' && payload.client_id !== clientId) {
          throw new InvalidTokenError('client_id does not match');
        }
        if (typeof payload.sub !== 'string' || payload.sub === '') {
          throw new InvalidTokenError('sub is missing');
        }
      },
    },
    { jwksCache: new SimpleJwksCache({ fetcher }) },
  );

  return {
    async verifyAuthorization(authorization) {
      const token = BEARER.exec(authorization ?? '')?.[1];
      if (token === undefined) throw new InvalidTokenError('Authorization must be "Bearer <jwt>"');
      let payload: JwtPayload;
      try {
        payload = await verifier.verify(token);
      } catch (error) {
        // Keys that cannot be fetched or read are an outage, not a bad token: let API Gateway answer 500
        // (and the alarms see it) instead of telling signed-in people that their session is invalid.
        if (isKeySetFailure(error)) throw error;
        throw new InvalidTokenError('JWT verification failed', { cause: error });
      }
      return personFrom(payload, tokenUse);
    },
  };
}

export function defaultJwksUri(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
}

/** localhost, 127.0.0.0/8 and ::1: addresses that never leave the machine. */
export function isLoopbackHost(hostname: string): boolean {
  // URL.hostname is lower-cased, brackets IPv6 and normalises IPv4 shorthands (127.1 -> 127.0.0.1).
  if (hostname === 'localhost' || hostname === '[::1]') return true;
  return isIPv4(hostname) && hostname.startsWith('127.');
}

/**
 * https is always allowed. Plain http only when both the issuer and the JWKS address are on loopback:
 * that is cognito-local on a laptop. A deployed stage has an https issuer, so no configuration of the
 * JWKS address can make it trust keys fetched over plain http (cognito-local's private key is public).
 */
export function assertJwksUriAllowed(issuer: string, jwksUri: string): void {
  const jwks = parseUrl(jwksUri, 'JWKS URI');
  if (jwks.protocol === 'https:') return;
  const issuerUrl = parseUrl(issuer, 'issuer');
  const loopback = isLoopbackHost(issuerUrl.hostname) && isLoopbackHost(jwks.hostname);
  if (jwks.protocol !== 'http:' || issuerUrl.protocol !== 'http:' || !loopback) {
    throw new JwksUriRefusedError(
      `Refusing JWKS ${jwksUri} for issuer ${issuer}: plain http is allowed only for a loopback issuer`,
    );
  }
}

/**
 * aws-jwt-verify's default fetcher speaks https only. This one adds plain http for loopback and checks
 * every address again when it is fetched, before any connection is made.
 */
export function createJwksFetcher({
  issuer,
  https = new SimpleFetcher(),
  http = plainHttpFetcher,
}: {
  issuer: string;
  https?: Fetcher;
  http?: Fetcher;
}): Fetcher {
  return {
    fetch(uri, requestOptions, data) {
      assertJwksUriAllowed(issuer, uri);
      const transport = new URL(uri).protocol === 'https:' ? https : http;
      return transport.fetch(uri, requestOptions, data);
    },
  };
}

const plainHttpFetcher: Fetcher = {
  async fetch(uri) {
    let response: Response;
    try {
      response = await fetch(uri, { signal: AbortSignal.timeout(JWKS_TIMEOUT_MS) });
    } catch (error) {
      throw new FetchError(uri, error instanceof Error ? error.message : String(error));
    }
    if (response.status !== 200) {
      throw new NonRetryableFetchError(uri, `Status code is ${response.status}, expected 200`);
    }
    return response.arrayBuffer();
  },
};

function isKeySetFailure(error: unknown): boolean {
  return (
    error instanceof FetchError ||
    error instanceof JwksValidationError ||
    error instanceof JwksUriRefusedError
  );
}

function personFrom(payload: JwtPayload, tokenUse: TokenUse): VerifiedPerson {
  const groups = payload['cognito:groups'];
  return {
    userId: String(payload.sub),
    email: typeof payload.email === 'string' ? payload.email : '',
    groups: Array.isArray(groups) ? groups.filter((group): group is string => typeof group === 'string') : [],
    tokenUse,
  };
}

function parseUrl(value: string, what: string): URL {
  try {
    return new URL(value);
  } catch (error) {
    throw new JwksUriRefusedError(`The ${what} ${JSON.stringify(value)} is not a URL`, { cause: error });
  }
}
