import { UnauthorizedError } from '@serverless-patterns/shared/errors';
import { expect } from 'chai';
import { type Caller, callerFromClaims, profileOf } from '../../../src/core/profile';

/** Claims as a Cognito user-pool authorizer passes them to a REST API: every value a string. */
function cognitoClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: '7d8f3a2e-1b4c-4e5f-9a6b-0c1d2e3f4a5b',
    email: 'ada@example.com',
    email_verified: 'true',
    'cognito:username': 'ada',
    'cognito:groups': 'editors',
    iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_EXAMPLE',
    token_use: 'id',
    ...overrides,
  };
}

function caller(overrides: Partial<Caller> = {}): Caller {
  return {
    userId: '7d8f3a2e-1b4c-4e5f-9a6b-0c1d2e3f4a5b',
    email: 'ada@example.com',
    groups: [],
    ...overrides,
  };
}

describe('profile', () => {
  describe('callerFromClaims', () => {
    it('reads the user id, email and group from the verified claims', () => {
      const claims = cognitoClaims();

      const result = callerFromClaims(claims);

      expect(result).to.deep.equal({
        userId: '7d8f3a2e-1b4c-4e5f-9a6b-0c1d2e3f4a5b',
        email: 'ada@example.com',
        groups: ['editors'],
      });
    });

    for (const [description, groups] of [
      ['a space-separated string', 'admins editors'],
      ['a bracketed string, as API Gateway renders a list', '[admins editors]'],
      ['a comma-separated string', 'admins,editors'],
      ['a bracketed comma-separated string', '[admins, editors]'],
      ['an array', ['admins', 'editors']],
    ] as const) {
      it(`reads cognito:groups given as ${description}`, () => {
        const claims = cognitoClaims({ 'cognito:groups': groups });

        const result = callerFromClaims(claims);

        expect(result.groups).to.deep.equal(['admins', 'editors']);
      });
    }

    it('gives a caller in no group an empty list of groups', () => {
      const { 'cognito:groups': _, ...claims } = cognitoClaims();

      const result = callerFromClaims(claims);

      expect(result.groups).to.deep.equal([]);
    });

    it('reads an empty bracketed list as no group', () => {
      expect(callerFromClaims(cognitoClaims({ 'cognito:groups': '[]' })).groups).to.deep.equal([]);
    });

    it('keeps only the strings of a groups array', () => {
      const claims = cognitoClaims({ 'cognito:groups': ['admins', 42, null] });

      expect(callerFromClaims(claims).groups).to.deep.equal(['admins']);
    });

    it('refuses a request without a sub', () => {
      const { sub: _, ...claims } = cognitoClaims();

      expect(() => callerFromClaims(claims))
        .to.throw(UnauthorizedError, 'The request carries no verified identity')
        .with.property('code', 'UNAUTHORIZED');
    });

    it('refuses an empty sub', () => {
      expect(() => callerFromClaims(cognitoClaims({ sub: '' }))).to.throw(UnauthorizedError);
    });

    it('refuses a request without an email', () => {
      const { email: _, ...claims } = cognitoClaims();

      expect(() => callerFromClaims(claims)).to.throw(UnauthorizedError);
    });

    it('refuses a request that reached the function without an authorizer', () => {
      expect(() => callerFromClaims(undefined)).to.throw(UnauthorizedError);
    });
  });

  describe('profileOf', () => {
    it('marks a member of the admins group as an administrator', () => {
      const profile = profileOf(caller({ groups: ['editors', 'admins'] }));

      expect(profile).to.deep.equal({ ...caller({ groups: ['editors', 'admins'] }), isAdmin: true });
    });

    for (const groups of [[], ['editors'], ['admin'], ['Admins'], ['superadmins']]) {
      it(`does not make an administrator of a caller in ${JSON.stringify(groups)}`, () => {
        const profile = profileOf(caller({ groups }));

        expect(profile.isAdmin).to.equal(false);
      });
    }

    it('makes administrators of the admins group read from string claims', () => {
      const profile = profileOf(callerFromClaims(cognitoClaims({ 'cognito:groups': '[admins editors]' })));

      expect(profile.isAdmin).to.equal(true);
    });
  });
});
