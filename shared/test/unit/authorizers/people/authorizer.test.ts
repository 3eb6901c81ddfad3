import {
  FetchError,
  JwtExpiredError,
  JwtInvalidAudienceError,
  JwtInvalidIssuerError,
  JwtInvalidSignatureError,
  JwtParseError,
  KidNotFoundInJwksError,
} from 'aws-jwt-verify/error';
import { expect } from 'chai';
import { createPeopleAuthorizer } from '../../../../src/authorizers/people/authorizer';
import {
  createPeopleTokenVerifier,
  InvalidTokenError,
  type TokenUse,
} from '../../../../src/authorizers/people/token-verifier';
import { tokenEvent, WHOLE_API_ARN } from '../events';
import {
  accessTokenClaims,
  CLIENT_ID,
  createSigningKey,
  idTokenClaims,
  type JwksServer,
  rejectionOf,
  rootCause,
  type SigningKey,
  signJwt,
  startJwksServer,
} from '../jwt-kit';

describe('people authorizer', () => {
  let key: SigningKey;
  let otherKey: SigningKey;
  let jwks: JwksServer;

  before(async function () {
    this.timeout(10_000);
    key = createSigningKey('pool-key-1');
    otherKey = createSigningKey('attacker-key');
    jwks = await startJwksServer([key]);
  });

  after(async () => {
    await jwks.close();
  });

  function authorizer(tokenUse: TokenUse = 'id') {
    const verifier = createPeopleTokenVerifier({ issuer: jwks.issuer, clientId: CLIENT_ID, tokenUse });
    return createPeopleAuthorizer({ verifier });
  }

  async function expectUnauthorized(token: string, tokenUse: TokenUse = 'id'): Promise<Error> {
    const error = await rejectionOf(authorizer(tokenUse)(tokenEvent(token)));
    // API Gateway answers 401 only for this exact message; anything else would be a 500.
    expect(error.message).to.equal('Unauthorized');
    expect(error.cause).to.be.instanceOf(InvalidTokenError);
    return error;
  }

  it('allows a valid ID token on the whole API stage, with the caller in the context', async () => {
    const token = signJwt(key, idTokenClaims(jwks.issuer));

    const result = await authorizer()(tokenEvent(`Bearer ${token}`));

    expect(result).to.deep.equal({
      principalId: 'user-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: WHOLE_API_ARN }],
      },
      context: { userId: 'user-1', email: 'ada@example.com', groups: 'admins,beta', tokenUse: 'id' },
    });
  });

  it('fetches the JWKS once and serves later tokens from its cache', async () => {
    const before = jwks.requests.length;
    const authorize = authorizer();

    await authorize(tokenEvent(`Bearer ${signJwt(key, idTokenClaims(jwks.issuer))}`));
    await authorize(tokenEvent(`Bearer ${signJwt(key, idTokenClaims(jwks.issuer, { sub: 'user-2' }))}`));

    expect(jwks.requests.length - before).to.equal(1);
  });

  it('accepts the scheme in any case and reports no groups as an empty string', async () => {
    const token = signJwt(key, idTokenClaims(jwks.issuer, { 'cognito:groups': undefined }));

    const result = await authorizer()(tokenEvent(`bearer ${token}`));

    expect(result.context).to.deep.include({ groups: '' });
  });

  it('accepts an access token of the app client when configured for access tokens', async () => {
    const token = signJwt(key, accessTokenClaims(jwks.issuer));

    const result = await authorizer('access')(tokenEvent(`Bearer ${token}`));

    expect(result.context).to.deep.equal({ userId: 'user-1', email: '', groups: 'beta', tokenUse: 'access' });
  });

  it('refuses an expired token', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    const token = signJwt(key, idTokenClaims(jwks.issuer, { iat: past, exp: past + 3600 }));

    expect(rootCause(await expectUnauthorized(`Bearer ${token}`))).to.be.instanceOf(JwtExpiredError);
  });

  it('refuses a token without exp, which would never expire', async () => {
    const token = signJwt(key, idTokenClaims(jwks.issuer, { exp: undefined }));

    await expectUnauthorized(`Bearer ${token}`);
  });

  it('refuses a token signed by another key under the pool key id (forged signature)', async () => {
    const forged = signJwt({ kid: key.kid, privateKey: otherKey.privateKey }, idTokenClaims(jwks.issuer));

    expect(rootCause(await expectUnauthorized(`Bearer ${forged}`))).to.be.instanceOf(
      JwtInvalidSignatureError,
    );
  });

  it('refuses a token signed by a key the pool does not publish', async () => {
    const forged = signJwt(otherKey, idTokenClaims(jwks.issuer));

    expect(rootCause(await expectUnauthorized(`Bearer ${forged}`))).to.be.instanceOf(KidNotFoundInJwksError);
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = signJwt(key, idTokenClaims(jwks.issuer)).split('.');
    const payload = Buffer.from(JSON.stringify(idTokenClaims(jwks.issuer, { sub: 'someone-else' }))).toString(
      'base64url',
    );

    await expectUnauthorized(`Bearer ${header}.${payload}.${signature}`);
  });

  it('refuses a token of another issuer', async () => {
    const token = signJwt(key, idTokenClaims(jwks.issuer, { iss: 'http://127.0.0.1:1/other_pool' }));

    expect(rootCause(await expectUnauthorized(`Bearer ${token}`))).to.be.instanceOf(JwtInvalidIssuerError);
  });

  it('refuses an ID token for another app client (wrong audience)', async () => {
    const token = signJwt(key, idTokenClaims(jwks.issuer, { aud: 'another-client' }));

    expect(rootCause(await expectUnauthorized(`Bearer ${token}`))).to.be.instanceOf(JwtInvalidAudienceError);
  });

  it('refuses an access token of another app client', async () => {
    const token = signJwt(key, accessTokenClaims(jwks.issuer, { client_id: 'another-client' }));

    await expectUnauthorized(`Bearer ${token}`, 'access');
  });

  it('refuses an access token where an ID token is expected (wrong token_use)', async () => {
    // Same issuer, key and audience: only token_use tells the two apart.
    const token = signJwt(key, idTokenClaims(jwks.issuer, { token_use: 'access' }));

    const error = await expectUnauthorized(`Bearer ${token}`);

    expect(String(rootCause(error))).to.include('token_use must be id');
  });

  it('refuses an ID token where an access token is expected', async () => {
    const token = signJwt(key, idTokenClaims(jwks.issuer, { client_id: CLIENT_ID }));

    await expectUnauthorized(`Bearer ${token}`, 'access');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
    const unsigned = `${encode({ alg: 'none', kid: key.kid })}.${encode(idTokenClaims(jwks.issuer))}.`;

    await expectUnauthorized(`Bearer ${unsigned}`);
  });

  for (const malformed of ['Bearer not-a-jwt', 'Bearer a.b.c', 'Bearer ...', `Bearer ${'x'.repeat(5000)}`]) {
    it(`refuses a malformed token (${malformed.slice(0, 20)})`, async () => {
      const error = await expectUnauthorized(malformed);

      expect(rootCause(error)).to.be.instanceOf(JwtParseError);
    });
  }

  for (const header of ['', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNzd29yZA==', 'Token abc']) {
    it(`refuses a missing or non-Bearer Authorization header (${JSON.stringify(header)})`, async () => {
      const before = jwks.requests.length;

      await expectUnauthorized(header);

      expect(jwks.requests.length).to.equal(before);
    });
  }

  it('answers 500, not 401, when the key set cannot be fetched (an outage, not a bad token)', async () => {
    const verifier = createPeopleTokenVerifier({
      issuer: jwks.issuer,
      jwksUri: `${jwks.issuer}/missing/jwks.json`,
      clientId: CLIENT_ID,
      tokenUse: 'id',
    });
    const token = signJwt(key, idTokenClaims(jwks.issuer));

    const error = await rejectionOf(createPeopleAuthorizer({ verifier })(tokenEvent(`Bearer ${token}`)));

    expect(error.message).to.not.equal('Unauthorized');
    expect(error).to.be.instanceOf(FetchError);
  });

  it('refuses a method ARN it cannot read instead of guessing the resource', async () => {
    const token = signJwt(key, idTokenClaims(jwks.issuer));

    const error = await rejectionOf(authorizer()(tokenEvent(`Bearer ${token}`, 'not-an-arn')));

    expect(error.message).to.equal('Unauthorized');
  });
});
