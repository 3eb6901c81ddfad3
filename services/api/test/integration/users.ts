import { createPrivateKey, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type People, people as signUpPeople, type TestCloud } from '@serverless-patterns/local/testing';

// Real people in the local cloud's cognito-local, signed up and signed in through the SDK as the portal
// does, and tokens bent one property at a time from a real one.

export type { People, Person } from '@serverless-patterns/local/testing';

/** People of the api's user pool, signed up as every service's suites do (local/testing/people.ts). */
export function people(cloud: TestCloud): People {
  return signUpPeople(cloud.description);
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

// --- Tokens made by hand -------------------------------------------------------------------------
//
// cognito-local signs every token RS256 with one RSA key, kid "CognitoLocal", whose private half is
// shipped in its package (lib/keys/cognitoLocal.private.json; lib/services/tokenGenerator.js signs
// with jsonwebtoken and `keyid: 'CognitoLocal'`). Signing tokens that the authorizer would accept is
// only possible because this is an emulator whose key is public: Cognito's signing keys never leave
// AWS, and the people authorizer refuses plain-http JWKS off loopback, so no deployed stage trusts
// this key (shared/src/authorizers/people-token.ts, assertJwksUriAllowed).

type Claims = Record<string, unknown>;

export function decodeJwt(token: string): { header: Claims; payload: Claims } {
  const [header, payload] = token.split('.');
  const decode = (part: string | undefined): Claims =>
    JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Claims;
  return { header: decode(header), payload: decode(payload) };
}

export function signJwt(header: Claims, payload: Claims, privateKey: KeyObject): string {
  const encode = (part: Claims) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** cognito-local's private signing key, read from its package. */
export function emulatorSigningKey(): KeyObject {
  const file = createRequire(import.meta.url).resolve('cognito-local/lib/keys/cognitoLocal.private.json');
  const { pem } = JSON.parse(readFileSync(file, 'utf8')) as { pem: string };
  return createPrivateKey(pem);
}

export interface BentTokens {
  /** The real token's header and claims, re-signed with the emulator's key: must still be accepted. */
  resigned: string;
  /** The same header (kid CognitoLocal) and claims, signed by a key nobody published. */
  forged: string;
  /** Signed with the emulator's key, expired an hour ago. */
  expired: string;
  /** Signed with the emulator's key, for another app client of the same pool. */
  wrongAudience: string;
  /** Signed with the emulator's key, issued by another user pool of the same emulator. */
  wrongIssuer: string;
  /** Not a JWT at all. */
  malformed: string;
}

/** Tokens that each differ from a real ID token in one property only. */
export function bendIdToken(idToken: string): BentTokens {
  const { header, payload } = decodeJwt(idToken);
  const emulatorKey = emulatorSigningKey();
  const { privateKey: unknownKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Math.floor(Date.now() / 1000);
  const issuer = String(payload.iss);
  const otherPool = `${issuer.slice(0, issuer.lastIndexOf('/'))}/us-east-1_OtherPool1`;
  return {
    resigned: signJwt(header, payload, emulatorKey),
    forged: signJwt(header, payload, unknownKey),
    expired: signJwt(
      header,
      { ...payload, iat: now - 7200, auth_time: now - 7200, exp: now - 3600 },
      emulatorKey,
    ),
    wrongAudience: signJwt(header, { ...payload, aud: 'anotherportalclient0000000' }, emulatorKey),
    wrongIssuer: signJwt(header, { ...payload, iss: otherPool }, emulatorKey),
    malformed: 'abc.def',
  };
}
