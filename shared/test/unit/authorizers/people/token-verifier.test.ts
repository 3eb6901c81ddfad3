import type { Fetcher } from 'aws-jwt-verify/https';
import { expect } from 'chai';
import {
  assertJwksUriAllowed,
  createJwksFetcher,
  createPeopleTokenVerifier,
  defaultJwksUri,
  isLoopbackHost,
  JwksUriRefusedError,
} from '../../../../src/authorizers/people/token-verifier';
import { CLIENT_ID, createSigningKey, idTokenClaims, rejectionOf, signJwt } from '../jwt-kit';

/** A transport that records every call and answers an empty key set. */
function spyFetcher(): Fetcher & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async fetch(uri) {
      calls.push(uri);
      return new TextEncoder().encode(JSON.stringify({ keys: [] })).buffer;
    },
  };
}

describe('people token verifier: where keys may come from', () => {
  describe('isLoopbackHost', () => {
    for (const url of [
      'http://localhost:9229',
      'http://127.0.0.1:9229',
      'http://127.8.9.10',
      'http://[::1]:9229',
    ]) {
      it(`treats ${url} as loopback`, () => {
        expect(isLoopbackHost(new URL(url).hostname)).to.equal(true);
      });
    }

    for (const url of [
      'http://example.com',
      'http://10.0.0.1',
      'http://0.0.0.0',
      'http://128.0.0.1',
      'http://127.0.0.1.nip.io',
      'http://localhost.example.com',
      'http://[::2]',
    ]) {
      it(`does not treat ${url} as loopback`, () => {
        expect(isLoopbackHost(new URL(url).hostname)).to.equal(false);
      });
    }
  });

  describe('assertJwksUriAllowed', () => {
    const allowed: Array<[string, string]> = [
      [
        'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
        'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/jwks.json',
      ],
      ['http://127.0.0.1:9229/local_pool', 'http://127.0.0.1:9229/local_pool/.well-known/jwks.json'],
      ['http://localhost:9229/local_pool', 'http://127.0.0.1:9229/local_pool/.well-known/jwks.json'],
      ['http://[::1]:9229/local_pool', 'http://[::1]:9229/local_pool/.well-known/jwks.json'],
    ];
    for (const [issuer, jwksUri] of allowed) {
      it(`allows ${jwksUri} for ${issuer}`, () => {
        expect(() => assertJwksUriAllowed(issuer, jwksUri)).to.not.throw();
      });
    }

    const refused: Array<[string, string, string]> = [
      [
        'a non-loopback http issuer',
        'http://example.com/pool',
        'http://example.com/pool/.well-known/jwks.json',
      ],
      [
        'an https issuer (a deployed stage) pointed at a loopback http JWKS',
        'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc',
        'http://127.0.0.1:9229/local_pool/.well-known/jwks.json',
      ],
      [
        'a loopback issuer pointed at a remote http JWKS',
        'http://127.0.0.1:9229/local_pool',
        'http://example.com/jwks.json',
      ],
      [
        'a look-alike host',
        'http://127.0.0.1.nip.io/pool',
        'http://127.0.0.1.nip.io/pool/.well-known/jwks.json',
      ],
      ['another scheme', 'http://127.0.0.1:9229/pool', 'file:///etc/jwks.json'],
      ['something that is not a URL', 'http://127.0.0.1:9229/pool', 'jwks.json'],
    ];
    for (const [why, issuer, jwksUri] of refused) {
      it(`refuses ${why}`, () => {
        expect(() => assertJwksUriAllowed(issuer, jwksUri)).to.throw(JwksUriRefusedError);
      });
    }
  });

  describe('createPeopleTokenVerifier', () => {
    it('refuses, at creation and without any network call, plain http for a non-loopback issuer', () => {
      const https = spyFetcher();
      const http = spyFetcher();

      expect(() =>
        createPeopleTokenVerifier({
          issuer: 'http://example.com/pool',
          clientId: CLIENT_ID,
          tokenUse: 'id',
          fetchers: { https, http },
        }),
      ).to.throw(JwksUriRefusedError, 'plain http is allowed only for a loopback issuer');
      expect(https.calls).to.deep.equal([]);
      expect(http.calls).to.deep.equal([]);
    });

    it('fetches a loopback issuer over plain http, from <issuer>/.well-known/jwks.json', async () => {
      const https = spyFetcher();
      const http = spyFetcher();
      const issuer = 'http://127.0.0.1:9/local_pool';
      const verifier = createPeopleTokenVerifier({
        issuer,
        clientId: CLIENT_ID,
        tokenUse: 'id',
        fetchers: { https, http },
      });

      const error = await rejectionOf(
        verifier.verifyAuthorization(`Bearer ${signJwt(createSigningKey('k1'), idTokenClaims(issuer))}`),
      );

      // The spy's key set is empty, so the token is refused, but only after the right address was asked.
      expect(error.name).to.equal('InvalidTokenError');
      expect(http.calls).to.deep.equal([`${issuer}/.well-known/jwks.json`]);
      expect(https.calls).to.deep.equal([]);
    });
  });

  describe('createJwksFetcher', () => {
    it('refuses a plain-http address of a non-loopback issuer before any transport is called', async () => {
      const https = spyFetcher();
      const http = spyFetcher();
      const fetcher = createJwksFetcher({ issuer: 'http://example.com/pool', https, http });

      const error = await rejectionOf(
        Promise.resolve().then(() => fetcher.fetch('http://example.com/pool/.well-known/jwks.json')),
      );

      expect(error).to.be.instanceOf(JwksUriRefusedError);
      expect(https.calls).to.deep.equal([]);
      expect(http.calls).to.deep.equal([]);
    });

    it('refuses a plain-http address for an https issuer, even on loopback', async () => {
      const http = spyFetcher();
      const fetcher = createJwksFetcher({ issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/p', http });

      const error = await rejectionOf(
        Promise.resolve().then(() => fetcher.fetch('http://127.0.0.1:9229/p/.well-known/jwks.json')),
      );

      expect(error).to.be.instanceOf(JwksUriRefusedError);
      expect(http.calls).to.deep.equal([]);
    });

    it('sends https addresses to the https transport', async () => {
      const https = spyFetcher();
      const http = spyFetcher();
      const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc';

      await createJwksFetcher({ issuer, https, http }).fetch(defaultJwksUri(issuer));

      expect(https.calls).to.deep.equal([`${issuer}/.well-known/jwks.json`]);
      expect(http.calls).to.deep.equal([]);
    });
  });

  it('derives the default JWKS address from the issuer, ignoring a trailing slash', () => {
    expect(defaultJwksUri('http://127.0.0.1:9229/pool/')).to.equal(
      'http://127.0.0.1:9229/pool/.well-known/jwks.json',
    );
  });
});
