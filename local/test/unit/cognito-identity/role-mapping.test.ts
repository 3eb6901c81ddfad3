import { expect } from 'chai';
import {
  authenticatedRole,
  guestRole,
  type PoolRoles,
  ruleMatches,
} from '../../../src/emulators/cognito-identity/role-mapping';

const USER = 'arn:aws:iam::000000000000:role/user';
const ADMIN = 'arn:aws:iam::000000000000:role/admin';
const PROVIDER = 'cognito-idp.us-east-1.amazonaws.com/us-east-1_Pool';

const byRules = (ambiguous: 'AuthenticatedRole' | 'Deny'): PoolRoles => ({
  roles: { authenticated: USER },
  roleMappings: {
    [`${PROVIDER}:client`]: {
      Type: 'Rules',
      AmbiguousRoleResolution: ambiguous,
      RulesConfiguration: {
        Rules: [{ Claim: 'cognito:groups', MatchType: 'Contains', Value: 'admins', RoleARN: ADMIN }],
      },
    },
  },
});

const login = (claims: Record<string, unknown>) => ({ provider: PROVIDER, clientId: 'client', claims });

describe('identity pool role mapping', () => {
  it('gives the role of the first rule a claim matches, else the authenticated role', () => {
    expect(
      authenticatedRole(byRules('AuthenticatedRole'), login({ 'cognito:groups': ['admins'] })),
    ).to.deep.equal({
      roleArn: ADMIN,
    });
    expect(
      authenticatedRole(byRules('AuthenticatedRole'), login({ 'cognito:groups': ['staff'] })),
    ).to.deep.equal({
      roleArn: USER,
    });
    expect(authenticatedRole(byRules('AuthenticatedRole'), login({}))).to.deep.equal({ roleArn: USER });
  });

  it('denies an unmatched sign-in when the mapping resolves ambiguity with Deny', () => {
    expect(authenticatedRole(byRules('Deny'), login({}))).to.have.property('denied');
  });

  it('takes cognito:preferred_role with a Token mapping, else a single cognito:roles', () => {
    const pool: PoolRoles = {
      roles: { authenticated: USER },
      roleMappings: { [PROVIDER]: { Type: 'Token', AmbiguousRoleResolution: 'Deny' } },
    };
    expect(authenticatedRole(pool, login({ 'cognito:preferred_role': ADMIN }))).to.deep.equal({
      roleArn: ADMIN,
    });
    expect(authenticatedRole(pool, login({ 'cognito:roles': [ADMIN] }))).to.deep.equal({ roleArn: ADMIN });
    expect(authenticatedRole(pool, login({ 'cognito:roles': [ADMIN, USER] }))).to.have.property('denied');
  });

  it('uses the authenticated role for a provider without a mapping, and the guest role for guests', () => {
    const pool: PoolRoles = { roles: { authenticated: USER, unauthenticated: 'guest' }, roleMappings: {} };
    expect(authenticatedRole(pool, login({}))).to.deep.equal({ roleArn: USER });
    expect(guestRole(pool)).to.deep.equal({ roleArn: 'guest' });
    expect(guestRole({ roles: {}, roleMappings: {} })).to.have.property('denied');
  });

  it('matches list claims value by value, with AWS’s four match types', () => {
    expect(ruleMatches({ MatchType: 'Equals', Value: 'admins' }, ['staff', 'admins'])).to.equal(true);
    expect(ruleMatches({ MatchType: 'Equals', Value: 'admin' }, ['admins'])).to.equal(false);
    expect(ruleMatches({ MatchType: 'Contains', Value: 'dmin' }, 'admins')).to.equal(true);
    expect(ruleMatches({ MatchType: 'StartsWith', Value: 'adm' }, ['admins'])).to.equal(true);
    expect(ruleMatches({ MatchType: 'NotEqual', Value: 'admins' }, 'staff')).to.equal(true);
    expect(ruleMatches({ MatchType: 'NotEqual', Value: 'admins' }, undefined)).to.equal(false);
  });
});
