import { expect } from 'chai';
import type { AdminAccess } from '../../../../src/authorizers/admin/access';
import { createAdminAuthorizer } from '../../../../src/authorizers/admin/authorizer';
import { createPeopleTokenVerifier } from '../../../../src/authorizers/people/token-verifier';
import { requestEvent as requestEventOn, WHOLE_API_ARN } from '../events';
import {
  CLIENT_ID,
  createSigningKey,
  idTokenClaims,
  type JwksServer,
  rejectionOf,
  type SigningKey,
  signJwt,
  startJwksServer,
} from '../jwt-kit';

const ADMIN_METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/ops/tasks';
const requestEvent = (headers: Record<string, string> | null) => requestEventOn(headers, ADMIN_METHOD_ARN);

describe('admin authorizer', () => {
  let key: SigningKey;
  let attackerKey: SigningKey;
  let jwks: JwksServer;
  let adminToken: string;
  let memberToken: string;

  before(async function () {
    this.timeout(10_000);
    key = createSigningKey('pool-key-1');
    attackerKey = createSigningKey('attacker');
    jwks = await startJwksServer([key]);
    adminToken = signJwt(key, idTokenClaims(jwks.issuer, { sub: 'admin-1', 'cognito:groups': ['admins'] }));
    memberToken = signJwt(key, idTokenClaims(jwks.issuer, { sub: 'member-1', 'cognito:groups': ['beta'] }));
  });

  after(async () => {
    await jwks.close();
  });

  function authorizer(access: AdminAccess, adminGroup = 'admins') {
    const verifier = createPeopleTokenVerifier({ issuer: jwks.issuer, clientId: CLIENT_ID, tokenUse: 'id' });
    return createAdminAuthorizer({ verifier, adminGroup, access });
  }

  function statementOf(result: { policyDocument: { Statement: unknown[] } }) {
    expect(result.policyDocument.Statement).to.have.length(1);
    return result.policyDocument.Statement[0];
  }

  describe('admins-only (prod, local and the default)', () => {
    it('allows a member of the admin group on the whole API stage, with isAdmin', async () => {
      const result = await authorizer('admins-only')(requestEvent({ Authorization: `Bearer ${adminToken}` }));

      expect(result.principalId).to.equal('admin-1');
      expect(statementOf(result)).to.deep.equal({
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: WHOLE_API_ARN,
      });
      expect(result.context).to.deep.equal({
        userId: 'admin-1',
        email: 'ada@example.com',
        groups: 'admins',
        tokenUse: 'id',
        isAdmin: true,
      });
    });

    it('denies (403) a signed-in person outside the admin group, on the whole API stage', async () => {
      const result = await authorizer('admins-only')(
        requestEvent({ Authorization: `Bearer ${memberToken}` }),
      );

      expect(result.principalId).to.equal('member-1');
      expect(statementOf(result)).to.deep.equal({
        Action: 'execute-api:Invoke',
        Effect: 'Deny',
        Resource: WHOLE_API_ARN,
      });
      expect(result.context).to.equal(undefined);
    });

    it('reads the Authorization header in any capitalisation', async () => {
      const result = await authorizer('admins-only')(requestEvent({ authorization: `Bearer ${adminToken}` }));

      expect(statementOf(result)).to.include({ Effect: 'Allow' });
    });

    it('checks the configured admin group, not a fixed name', async () => {
      const result = await authorizer(
        'admins-only',
        'operators',
      )(requestEvent({ Authorization: `Bearer ${adminToken}` }));

      expect(statementOf(result)).to.include({ Effect: 'Deny' });
    });
  });

  describe('any-signed-in-user (sandbox stages)', () => {
    it('allows a signed-in person outside the admin group, with isAdmin false', async () => {
      const result = await authorizer('any-signed-in-user')(
        requestEvent({ Authorization: `Bearer ${memberToken}` }),
      );

      expect(statementOf(result)).to.deep.equal({
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: WHOLE_API_ARN,
      });
      expect(result.context).to.deep.include({ userId: 'member-1', groups: 'beta', isAdmin: false });
    });

    it('allows an admin, with isAdmin true', async () => {
      const result = await authorizer('any-signed-in-user')(
        requestEvent({ Authorization: `Bearer ${adminToken}` }),
      );

      expect(result.context).to.deep.include({ userId: 'admin-1', isAdmin: true });
    });
  });

  for (const access of ['admins-only', 'any-signed-in-user'] as const) {
    describe(`bad tokens under ${access}`, () => {
      it('refuses (401) a forged token', async () => {
        const forged = signJwt(
          { kid: key.kid, privateKey: attackerKey.privateKey },
          idTokenClaims(jwks.issuer, { 'cognito:groups': ['admins'] }),
        );

        const error = await rejectionOf(
          authorizer(access)(requestEvent({ Authorization: `Bearer ${forged}` })),
        );

        expect(error.message).to.equal('Unauthorized');
      });

      it('refuses (401) an expired admin token', async () => {
        const past = Math.floor(Date.now() / 1000) - 7200;
        const expired = signJwt(key, idTokenClaims(jwks.issuer, { iat: past, exp: past + 3600 }));

        const error = await rejectionOf(
          authorizer(access)(requestEvent({ Authorization: `Bearer ${expired}` })),
        );

        expect(error.message).to.equal('Unauthorized');
      });

      const headerCases: Array<[string, () => Record<string, string> | null]> = [
        ['no headers at all', () => null],
        ['no Authorization header', () => ({})],
        ['an empty Authorization header', () => ({ Authorization: '' })],
        ['the admin token under the Basic scheme', () => ({ Authorization: `Basic ${adminToken}` })],
      ];
      for (const [why, headers] of headerCases) {
        it(`refuses (401) ${why}`, async () => {
          const error = await rejectionOf(authorizer(access)(requestEvent(headers())));

          expect(error.message).to.equal('Unauthorized');
        });
      }
    });
  }
});
