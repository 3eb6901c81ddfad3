import { createHash, randomBytes as cryptoRandomBytes, timingSafeEqual } from 'node:crypto';
import { identifier } from '../../schemas/common';

// Device tokens: `<deviceId>.<secret>`, the secret being 32 random bytes in base64url (43 characters,
// never a '.', so the last '.' splits the token even though a device id may contain dots). Issued by the
// api's token route, checked by the device authorizer (authorizer.ts); the store keeps only a salted hash.

const SECRET_BYTES = 32;
const SALT_BYTES = 16;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const HASH_SCHEME = 'sha256';

export interface IssuedDeviceToken {
  /** Shown to the owner once, for the thermostat; it cannot be recovered from the store. */
  token: string;
  /** `sha256$<salt>$<digest>`: what to store in place of the secret. */
  secretHash: string;
}

/**
 * A new token for a device. `randomBytes` is node:crypto's in production (injected so tests can be
 * deterministic); issuing again for the same device is a rotation once the new hash replaces the old.
 */
export function issueDeviceToken(
  deviceId: string,
  randomBytes: (size: number) => Uint8Array,
): IssuedDeviceToken {
  if (!identifier.safeParse(deviceId).success) {
    throw new TypeError(`Invalid device id ${JSON.stringify(deviceId)}`);
  }
  const secret = Buffer.from(randomBytes(SECRET_BYTES)).toString('base64url');
  return { token: `${deviceId}.${secret}`, secretHash: hashDeviceSecret(secret, randomBytes(SALT_BYTES)) };
}

/**
 * Salted SHA-256 of a device secret. Slow hashes (scrypt, bcrypt) exist to make guessing a low-entropy
 * password expensive; a secret of 256 random bits cannot be guessed at any hash speed, so a fast hash
 * loses nothing and keeps the authorizer at microseconds per call. NIST SP 800-63B (look-up secret
 * verifiers, 5.1.2.2) asks exactly this for secrets of at least 112 bits: an approved one-way function.
 * The salt adds that equal secrets never share a hash and that no precomputed table applies.
 * https://pages.nist.gov/800-63-3/sp800-63b.html
 */
export function hashDeviceSecret(secret: string, salt: Uint8Array = cryptoRandomBytes(SALT_BYTES)): string {
  const encodedSalt = Buffer.from(salt).toString('base64url');
  return `${HASH_SCHEME}$${encodedSalt}$${digest(salt, secret).toString('base64url')}`;
}

/** Compares in constant time, so response timing tells nothing about how much of a guess was right. */
export function verifyDeviceSecret(secret: string, secretHash: string): boolean {
  const [scheme, salt, expected, ...rest] = secretHash.split('$');
  if (scheme !== HASH_SCHEME || !salt || !expected || rest.length > 0) return false;
  const expectedDigest = Buffer.from(expected, 'base64url');
  const actualDigest = digest(Buffer.from(salt, 'base64url'), secret);
  return expectedDigest.length === actualDigest.length && timingSafeEqual(expectedDigest, actualDigest);
}

export function parseDeviceToken(token: string): { deviceId: string; secret: string } | undefined {
  const dot = token.lastIndexOf('.');
  const deviceId = token.slice(0, dot);
  const secret = token.slice(dot + 1);
  // The id ends up in the policy's Resource, where '*' and '?' are wildcards: only the identifier alphabet.
  if (dot < 1 || !identifier.safeParse(deviceId).success || !SECRET_PATTERN.test(secret)) return undefined;
  return { deviceId, secret };
}

function digest(salt: Uint8Array, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret, 'utf8').digest();
}
