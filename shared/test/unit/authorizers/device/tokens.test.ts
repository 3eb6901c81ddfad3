import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import {
  hashDeviceSecret,
  issueDeviceToken,
  parseDeviceToken,
  verifyDeviceSecret,
} from '../../../../src/authorizers/device/tokens';

/** A deterministic stand-in for crypto.randomBytes: 1, 2, 3, ... */
function countingBytes(): (size: number) => Uint8Array {
  let next = 0;
  return (size) => Uint8Array.from({ length: size }, () => ++next % 256);
}

describe('device tokens', () => {
  describe('issueDeviceToken', () => {
    it('issues <deviceId>.<43 base64url characters> and a hash that verifies it', () => {
      const { token, secretHash } = issueDeviceToken('dev-1', countingBytes());

      expect(token).to.match(/^dev-1\.[A-Za-z0-9_-]{43}$/);
      const secret = token.slice('dev-1.'.length);
      expect(secretHash).to.not.include(secret);
      expect(verifyDeviceSecret(secret, secretHash)).to.equal(true);
    });

    it('draws a fresh secret each time (rotation)', () => {
      const first = issueDeviceToken('dev-1', randomBytes);
      const second = issueDeviceToken('dev-1', randomBytes);

      expect(first.token).to.not.equal(second.token);
      expect(verifyDeviceSecret(first.token.split('.')[1] ?? '', second.secretHash)).to.equal(false);
    });

    it('refuses a device id that could not be read back from a token or an ARN', () => {
      expect(() => issueDeviceToken('dev/1', randomBytes)).to.throw(TypeError);
      expect(() => issueDeviceToken('*', randomBytes)).to.throw(TypeError);
    });
  });

  describe('hashDeviceSecret and verifyDeviceSecret', () => {
    const secret = Buffer.alloc(32, 7).toString('base64url');

    it('salts: the same secret never hashes the same twice', () => {
      expect(hashDeviceSecret(secret)).to.not.equal(hashDeviceSecret(secret));
    });

    it('rejects another secret, including one differing in the last character', () => {
      const hash = hashDeviceSecret(secret);

      expect(verifyDeviceSecret(`${secret.slice(0, -1)}A`, hash)).to.equal(false);
      expect(verifyDeviceSecret('', hash)).to.equal(false);
    });

    for (const stored of [
      '',
      'plain-secret',
      'md5$c2FsdA$abc',
      'sha256$$abc',
      'sha256$c2FsdA$',
      'sha256$a$b$c',
    ]) {
      it(`rejects a stored hash it does not recognise (${JSON.stringify(stored)})`, () => {
        expect(verifyDeviceSecret(secret, stored)).to.equal(false);
      });
    }
  });

  describe('parseDeviceToken', () => {
    const secret = 'A'.repeat(43);

    it('splits at the last dot, so device ids may contain dots', () => {
      expect(parseDeviceToken(`site.a.dev-1.${secret}`)).to.deep.equal({ deviceId: 'site.a.dev-1', secret });
    });

    const malformed: Array<[string, string]> = [
      ['an empty token', ''],
      ['a secret without a device id', secret],
      ['an empty device id', `.${secret}`],
      ['an empty secret', 'dev-1.'],
      ['a secret one character too long', `dev-1.${secret}A`],
      ['a secret one character too short', `dev-1.${secret.slice(1)}`],
      ['a secret outside base64url', `dev-1.${'+'.repeat(43)}`],
      ['a wildcard in the device id', `dev*.${secret}`],
      ['a slash in the device id', `dev/1.${secret}`],
      ['a space in the device id', `dev 1.${secret}`],
      ['a Bearer prefix', `Bearer dev-1.${secret}`],
    ];
    for (const [why, token] of malformed) {
      it(`refuses ${why}`, () => {
        expect(parseDeviceToken(token)).to.equal(undefined);
      });
    }
  });
});
