import { expect } from 'chai';
import { evaluatePolicies, type PolicyStatement, wildcardMatch } from '../../../src/cloud/iam-policy';

const API = 'arn:aws:execute-api:us-east-1:000000000000:api-id';
const invoke = (resource: string) => ({ action: 'execute-api:Invoke', resource });

describe('IAM policy evaluation', () => {
  const statements: PolicyStatement[] = [
    { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: `${API}/local/GET/me/credentials-check` },
    { Effect: 'Deny', Action: ['execute-api:Invoke'], Resource: [`${API}/*/*/admin/*`] },
    { Effect: 'Allow', Action: 'execute-api:*', Resource: `${API}/local/*/admin/*` },
  ];

  it('allows what an Allow names, and denies implicitly what none names', () => {
    expect(evaluatePolicies(statements, invoke(`${API}/local/GET/me/credentials-check`))).to.equal('allowed');
    expect(evaluatePolicies(statements, invoke(`${API}/local/GET/me`))).to.equal('implicit-deny');
    expect(evaluatePolicies(statements, invoke(`${API}/prod/GET/me/credentials-check`))).to.equal(
      'implicit-deny',
    );
  });

  it('lets an explicit Deny win over any Allow', () => {
    expect(evaluatePolicies(statements, invoke(`${API}/local/GET/admin/iam/devices/count`))).to.equal(
      'explicit-deny',
    );
  });

  it('matches actions without regard to case, resources with it, with * and ?', () => {
    expect(wildcardMatch('execute-api:invoke', 'execute-api:Invoke', true)).to.equal(true);
    expect(wildcardMatch(`${API}/local/GET/ME`, `${API}/local/GET/me`, false)).to.equal(false);
    expect(wildcardMatch(`${API}/*`, `${API}/local/GET/a/b/c`, false)).to.equal(true);
    expect(wildcardMatch(`${API}/local/?ET/me`, `${API}/local/GET/me`, false)).to.equal(true);
    expect(wildcardMatch(`${API}/local/GET/me.`, `${API}/local/GET/mex`, false)).to.equal(false);
  });

  it('reads NotAction and NotResource as everything but', () => {
    const allowAllButAdmin: PolicyStatement[] = [
      { Effect: 'Allow', Action: 'execute-api:Invoke', NotResource: `${API}/*/*/admin/*` },
    ];
    expect(evaluatePolicies(allowAllButAdmin, invoke(`${API}/local/GET/me`))).to.equal('allowed');
    expect(evaluatePolicies(allowAllButAdmin, invoke(`${API}/local/GET/admin/x`))).to.equal('implicit-deny');
    const denyAllButInvoke: PolicyStatement[] = [
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Deny', NotAction: 'execute-api:Invoke', Resource: '*' },
    ];
    expect(evaluatePolicies(denyAllButInvoke, invoke(`${API}/local/GET/me`))).to.equal('allowed');
    expect(
      evaluatePolicies(denyAllButInvoke, { action: 'execute-api:ManageConnections', resource: API }),
    ).to.equal('explicit-deny');
  });

  it('never allows under a condition it cannot evaluate, and lets such a Deny apply', () => {
    const conditional: PolicyStatement[] = [
      { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*', Condition: { IpAddress: {} } },
    ];
    expect(evaluatePolicies(conditional, invoke(`${API}/local/GET/me`))).to.equal('implicit-deny');
    expect(
      evaluatePolicies(
        [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { ...conditional[0], Effect: 'Deny' } as PolicyStatement,
        ],
        invoke(`${API}/local/GET/me`),
      ),
    ).to.equal('explicit-deny');
  });
});
