import { createSign, generateKeyPairSync, type JsonWebKey, randomUUID } from 'node:crypto';

/**
 * The OpenID Connect tokens GetOpenIdToken returns: RS256 JWTs that name the identity (sub), its pool
 * (aud) and how it signed in (amr), signed by this emulator's own key (made at each start; AWS's
 * issuer is https://cognito-identity.amazonaws.com), whose JWKS it serves at /.well-known/jwks_uri.
 * https://docs.aws.amazon.com/cognitoidentity/latest/APIReference/API_GetOpenIdToken.html
 */

export const JWKS_PATH = '/.well-known/jwks_uri';
const TOKEN_LIFETIME_SECONDS = 10 * 60;

export interface OpenIdTokenIssuer {
  issue(claims: { identityId: string; identityPoolId: string; amr: string[] }): string;
  jwks(): { keys: JsonWebKey[] };
}

export function createOpenIdTokenIssuer(issuer: () => string, clock: () => Date): OpenIdTokenIssuer {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomUUID();
  return {
    issue({ identityId, identityPoolId, amr }) {
      const now = Math.floor(clock().getTime() / 1000);
      const header = { kid, typ: 'JWT', alg: 'RS256' };
      const payload = {
        sub: identityId,
        aud: identityPoolId,
        amr,
        iss: issuer(),
        'https://cognito-identity.amazonaws.com/identity-pool-arn': identityPoolId,
        iat: now,
        exp: now + TOKEN_LIFETIME_SECONDS,
      };
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const signingInput = `${encode(header)}.${encode(payload)}`;
      const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url');
      return `${signingInput}.${signature}`;
    },
    jwks() {
      return { keys: [{ ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' }] };
    },
  };
}
