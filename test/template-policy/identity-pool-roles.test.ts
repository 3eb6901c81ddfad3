import { expect } from 'chai';
import type { CloudFormationResource } from './check-template';
import { packagedResources } from './package-service';

/**
 * The api's identity pool (pattern 1, A and B), as its packaged template declares it: who gets which
 * role, and what each role may do. Each role may invoke exactly the IAM-authorized routes it is meant
 * for (read from the template's AWS_IAM methods), nothing else of the API and no other action.
 */
const OIDC_ARN = 'arn:aws:iam::123456789012:oidc-provider/login.example.com';

type Resources = Record<string, CloudFormationResource>;

const packageApi = (params: Record<string, string> = {}) => packagedResources('api', params);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const API_ARN_PREFIX =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
  'arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${ApiGatewayRestApi}/';

/** `<stage>/<METHOD>/<path>` of each execute-api resource (Fn::Sub on this API), or the raw value. */
function methodPaths(resource: unknown): string[] {
  return list(resource).map((entry) => {
    const sub = (entry as { 'Fn::Sub'?: unknown })['Fn::Sub'];
    if (typeof sub !== 'string' || !sub.startsWith(API_ARN_PREFIX)) return JSON.stringify(entry);
    return sub.slice(API_ARN_PREFIX.length);
  });
}

function statementsOf(resources: Resources, roleId: string): Statement[] {
  const policies = (resources[roleId]?.Properties?.Policies ?? []) as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** What a role allows or denies, as `Effect action resource` lines. */
function grants(resources: Resources, roleId: string, effect: 'Allow' | 'Deny'): string[] {
  return statementsOf(resources, roleId)
    .filter((statement) => statement.Effect === effect)
    .flatMap((statement) =>
      list(statement.Action).flatMap((action) =>
        methodPaths(statement.Resource).map((path) => `${action} ${path}`),
      ),
    )
    .sort();
}

/** `policy/<METHOD>/<path>` of every method the template protects with IAM. */
function iamRoutes(resources: Resources): string[] {
  const paths = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const properties = resources[id]?.Properties ?? {};
    const parent = (properties.ParentId as { Ref?: string } | undefined)?.Ref;
    const path = `${parent === undefined ? '' : `${pathOf(parent)}/`}${String(properties.PathPart)}`;
    paths.set(id, path);
    return path;
  };
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::ApiGateway::Method')
    .filter((resource) => resource.Properties?.AuthorizationType === 'AWS_IAM')
    .map((resource) => {
      const properties = resource.Properties ?? {};
      const id = (properties.ResourceId as { Ref: string }).Ref;
      return `policy/${String(properties.HttpMethod)}/${pathOf(id)}`;
    })
    .sort();
}

const trustOf = (resources: Resources, roleId: string) =>
  (resources[roleId]?.Properties?.AssumeRolePolicyDocument as { Statement: Statement[] } | undefined)
    ?.Statement ?? [];

describe('the api’s identity pool and its roles, in the packaged template', function () {
  // Two packagings of the api: about a minute on two quiet cores, far more on a busy machine.
  this.timeout(600_000);
  let resources: Resources;
  let withGuestsAndOidc: Resources;

  before(async () => {
    // One after the other: both bundle in the service's esbuild work folder.
    resources = await packageApi();
    withGuestsAndOidc = await packageApi({ identityPoolGuestAccess: 'true', oidcProviderArn: OIDC_ARN });
  });

  it('protects the credentials check and the admin count with IAM, and nothing else', () => {
    expect(iamRoutes(resources)).to.deep.equal([
      'policy/GET/admin/iam/devices/count',
      'policy/GET/me/credentials-check',
    ]);
  });

  it('lets the user role invoke exactly the credentials check, and denies it every admin route', () => {
    expect(grants(resources, 'IdentityUserRole', 'Allow')).to.deep.equal([
      'execute-api:Invoke policy/GET/me/credentials-check',
    ]);
    expect(grants(resources, 'IdentityUserRole', 'Deny')).to.deep.equal(['execute-api:Invoke */*/admin/*']);
  });

  it('lets the admin role invoke exactly the IAM routes', () => {
    expect(grants(resources, 'IdentityAdminRole', 'Allow')).to.deep.equal(
      iamRoutes(resources).map((route) => `execute-api:Invoke ${route}`),
    );
    expect(grants(resources, 'IdentityAdminRole', 'Deny')).to.deep.equal([]);
  });

  it('gives the roles no managed policy, and no action but execute-api:Invoke', () => {
    for (const roleId of ['IdentityUserRole', 'IdentityAdminRole']) {
      expect(resources[roleId]?.Properties?.ManagedPolicyArns, roleId).to.equal(undefined);
      const actions = statementsOf(resources, roleId).flatMap((statement) => list(statement.Action));
      expect(new Set(actions), roleId).to.deep.equal(new Set(['execute-api:Invoke']));
    }
  });

  it('lets only authenticated identities of this pool assume the roles', () => {
    for (const roleId of ['IdentityUserRole', 'IdentityAdminRole']) {
      expect(trustOf(resources, roleId), roleId).to.deep.equal([
        {
          Effect: 'Allow',
          Principal: { Federated: 'cognito-identity.amazonaws.com' },
          Action: ['sts:AssumeRoleWithWebIdentity'],
          Condition: {
            StringEquals: { 'cognito-identity.amazonaws.com:aud': { Ref: 'IdentityPool' } },
            'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'authenticated' },
          },
        },
      ]);
    }
  });

  it('trusts the user pool’s portal client, with no guests and no classic flow by default', () => {
    const pool = resources.IdentityPool?.Properties ?? {};
    expect(pool.AllowUnauthenticatedIdentities).to.equal(false);
    expect(pool.AllowClassicFlow).to.equal(false);
    expect(pool.CognitoIdentityProviders).to.deep.equal([
      {
        ProviderName: { 'Fn::GetAtt': ['UserPool', 'ProviderName'] },
        ClientId: { Ref: 'UserPoolClient' },
        ServerSideTokenCheck: true,
      },
    ]);
    expect(pool.OpenIdConnectProviderARNs).to.equal(undefined);
    expect(resources.IdentityGuestRole).to.equal(undefined);
  });

  it('maps the admins group to the admin role, everyone else to the user role', () => {
    const attachment = resources.IdentityPoolRoleAttachment?.Properties ?? {};
    expect(attachment.Roles).to.deep.equal({ authenticated: { 'Fn::GetAtt': ['IdentityUserRole', 'Arn'] } });
    expect(attachment.RoleMappings).to.deep.equal({
      userPool: {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        IdentityProvider: { 'Fn::Sub': '${UserPool.ProviderName}:${UserPoolClient}' },
        Type: 'Rules',
        AmbiguousRoleResolution: 'AuthenticatedRole',
        RulesConfiguration: {
          Rules: [
            {
              Claim: 'cognito:groups',
              MatchType: 'Contains',
              Value: 'admins',
              RoleARN: { 'Fn::GetAtt': ['IdentityAdminRole', 'Arn'] },
            },
          ],
        },
      },
    });
    expect(resources.AdminsGroup?.Properties?.RoleArn).to.deep.equal({
      'Fn::GetAtt': ['IdentityAdminRole', 'Arn'],
    });
  });

  it('lets guests in only when the stage says so, with a role that may invoke nothing', () => {
    const pool = withGuestsAndOidc.IdentityPool?.Properties ?? {};
    expect(pool.AllowUnauthenticatedIdentities).to.equal(true);
    const roles = withGuestsAndOidc.IdentityPoolRoleAttachment?.Properties?.Roles;
    expect(roles).to.deep.include({ unauthenticated: { 'Fn::GetAtt': ['IdentityGuestRole', 'Arn'] } });
    expect(withGuestsAndOidc.IdentityGuestRole?.Properties?.Policies).to.equal(undefined);
    expect(withGuestsAndOidc.IdentityGuestRole?.Properties?.ManagedPolicyArns).to.equal(undefined);
    const [trust] = trustOf(withGuestsAndOidc, 'IdentityGuestRole');
    expect(trust?.Condition).to.deep.include({
      'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': 'unauthenticated' },
    });
  });

  it('trusts an OIDC provider when the stage names one, mapping its admins to the admin role', () => {
    const pool = withGuestsAndOidc.IdentityPool?.Properties ?? {};
    expect(pool.OpenIdConnectProviderARNs).to.deep.equal([OIDC_ARN]);
    const mappings = withGuestsAndOidc.IdentityPoolRoleAttachment?.Properties?.RoleMappings as Record<
      string,
      { Type: string; RulesConfiguration: { Rules: unknown[] } }
    >;
    expect(mappings.oidc?.Type).to.equal('Rules');
    expect(mappings.oidc?.RulesConfiguration.Rules).to.deep.equal([
      {
        Claim: 'groups',
        MatchType: 'Contains',
        Value: 'admins',
        RoleARN: { 'Fn::GetAtt': ['IdentityAdminRole', 'Arn'] },
      },
    ]);
  });
});
