import { expect } from 'chai';
import { packageService, resolved } from './packaged-template';

// The packaged CloudFormation template of this service, as `sls deploy` would send it: packaged once with
// the defaults and once with every stage parameter set.

interface Resource {
  Type: string;
  Condition?: string;
  Properties: Record<string, unknown>;
  [key: string]: unknown;
}

interface Template {
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Condition?: string }>;
}

const ROUTE_FUNCTIONS = [
  'RegisterDevice',
  'ListDevices',
  'GetDevice',
  'UpdateDeviceThreshold',
  'DeleteDevice',
  'IssueDeviceToken',
  'GetProfile',
  'CountDevices',
  'CheckCredentials',
  'CountDevicesSigned',
];
const AUTHORIZER_FUNCTIONS = ['AuthorizePeople', 'AuthorizeAdmin', 'AuthorizeDevice'];

// CloudFormation's own ${...} placeholders, as they appear in the template.
// biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
const DEPLOYMENT_CONFIG_SUB = 'CodeDeployDefault.Lambda${ConfigName}';
const CODEDEPLOY_POLICY_SUB =
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
  'arn:${AWS::Partition}:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited';

const STAGE_PARAMETERS = {
  nativeCognitoAuthorizer: 'true',
  apiRateLimit: '7',
  apiBurstLimit: '9',
  canaryType: 'Linear10PercentEvery1Minute',
  customDomainName: 'api.example.com',
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-example',
  adminAccess: 'any-signed-in-user',
};

/**
 * Evaluates a condition of the template. Parameters are resolved at packaging time, so the conditions
 * only compare literals: Fn::Equals, Fn::Not, Fn::And, Fn::Or and Condition references are enough.
 */
function conditionHolds(template: Template, name: string): boolean {
  const evaluate = (expression: unknown): unknown => {
    if (typeof expression !== 'object' || expression === null) return expression;
    const [[operator, operand]] = Object.entries(expression) as [[string, unknown]];
    const operands = operand as unknown[];
    switch (operator) {
      case 'Fn::Equals':
        return evaluate(operands[0]) === evaluate(operands[1]);
      case 'Fn::Not':
        return !evaluate(operands[0]);
      case 'Fn::And':
        return operands.every((part) => evaluate(part));
      case 'Fn::Or':
        return operands.some((part) => evaluate(part));
      case 'Condition':
        return conditionHolds(template, operand as string);
      default:
        throw new Error(`cannot evaluate ${operator} in condition ${name}`);
    }
  };
  const condition = template.Conditions?.[name];
  if (condition === undefined) throw new Error(`no condition ${name}`);
  return evaluate(condition) === true;
}

/** The value at a dotted path below `value`, or undefined. */
function dig(value: unknown, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (current, key) =>
        typeof current === 'object' && current !== null
          ? (current as Record<string, unknown>)[key]
          : undefined,
      value,
    );
}

/** The resources CloudFormation would create. */
function deployed(template: Template): Record<string, Resource> {
  return Object.fromEntries(
    Object.entries(template.Resources).filter(
      ([, resource]) => resource.Condition === undefined || conditionHolds(template, resource.Condition),
    ),
  );
}

function ofType(template: Template, type: string): [string, Resource][] {
  return Object.entries(deployed(template)).filter(([, resource]) => resource.Type === type);
}

function resource(template: Template, logicalId: string): Resource {
  const found = deployed(template)[logicalId];
  if (found === undefined) throw new Error(`the template deploys no ${logicalId}`);
  return found;
}

/** Data actions granted to each function's role, with the partitions they are limited to. */
function dataPermissions(template: Template, functionName: string): string[] {
  interface Statement {
    Action: string[];
    Condition?: { 'ForAllValues:StringLike'?: { 'dynamodb:LeadingKeys'?: string[] } };
  }
  const role = resource(template, `${functionName}IamRoleLambdaExecution`);
  const policies = role.Properties.Policies as { PolicyDocument: { Statement: Statement[] } }[];
  return policies
    .flatMap((policy) => policy.PolicyDocument.Statement)
    .flatMap((statement) => {
      const partitions = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'];
      const scope = partitions === undefined ? '' : ` on ${partitions.join(', ')}`;
      return statement.Action.filter((action) => action.startsWith('dynamodb:')).map(
        (action) => `${action}${scope}`,
      );
    })
    .sort();
}

describe('api template', function () {
  // Three packagings, one after the other: they share the service's esbuild work folder.
  this.timeout(300_000);
  let defaults: Template;
  let configured: Template;
  // The stage `npm run deploy` and `npm run package` use when none is given.
  let dev: Template;

  before(async () => {
    defaults = await packageService<Template>({});
    configured = await packageService<Template>(STAGE_PARAMETERS);
    dev = await packageService<Template>({}, { stage: 'dev' });
  });

  describe('admin access', () => {
    const adminAccessOf = (template: Template) =>
      dig(
        resource(template, 'AuthorizeAdminLambdaFunction'),
        'Properties.Environment.Variables.ADMIN_ACCESS',
      );

    // Sign-up is open: on a stage where every signed-in user were an admin, anyone could read every
    // owner's devices through /admin.
    it('lets only the admins group in on the default stage, dev', () => {
      expect(adminAccessOf(dev)).to.equal('admins-only');
    });

    it('lets only the admins group in on any other stage', () => {
      expect(adminAccessOf(defaults)).to.equal('admins-only');
    });

    it('lets every signed-in user in only on a stage deployed with adminAccess=any-signed-in-user', () => {
      expect(adminAccessOf(configured)).to.equal('any-signed-in-user');
    });
  });

  describe('native Cognito authorizer', () => {
    it('is declared only when the stage asks for it', () => {
      expect(deployed(defaults)).to.not.have.property('PeopleAuthorizer');
      expect(resource(configured, 'PeopleAuthorizer').Properties).to.deep.include({
        Type: 'COGNITO_USER_POOLS',
        IdentitySource: 'method.request.header.Authorization',
        ProviderARNs: [{ 'Fn::GetAtt': ['UserPool', 'Arn'] }],
      });
    });

    it('is used by no route, even when declared: routes keep the Lambda authorizers or IAM', () => {
      const authorizersInUse = ofType(configured, 'AWS::ApiGateway::Method')
        .filter(([, method]) => method.Properties.HttpMethod !== 'OPTIONS')
        .map(([, method]) => [
          dig(method, 'Properties.AuthorizationType'),
          dig(method, 'Properties.AuthorizerId.Ref'),
        ]);

      expect(authorizersInUse).to.have.length(ROUTE_FUNCTIONS.length);
      expect(new Set(authorizersInUse.map((pair) => pair.join(' ')))).to.deep.equal(
        new Set([
          'CUSTOM AuthorizePeopleApiGatewayAuthorizer',
          'CUSTOM AuthorizeAdminApiGatewayAuthorizer',
          // The identity pool's routes (test/template-policy/identity-pool-roles.test.ts).
          'AWS_IAM ',
        ]),
      );
    });
  });

  describe('Lambda authorizers', () => {
    it('verifies people with a TOKEN authorizer on Authorization, cached for 5 minutes', () => {
      expect(resource(defaults, 'AuthorizePeopleApiGatewayAuthorizer').Properties).to.deep.include({
        Type: 'TOKEN',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerResultTtlInSeconds: 300,
      });
    });

    it('guards admin routes with a REQUEST authorizer on Authorization, cached for a minute', () => {
      const admin = ofType(defaults, 'AWS::ApiGateway::Method').find(
        ([, method]) => dig(method, 'Properties.AuthorizerId.Ref') === 'AuthorizeAdminApiGatewayAuthorizer',
      );

      expect(resource(defaults, 'AuthorizeAdminApiGatewayAuthorizer').Properties).to.deep.include({
        Type: 'REQUEST',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerResultTtlInSeconds: 60,
      });
      expect(admin?.[0]).to.equal('ApiGatewayMethodAdminDevicesCountGet');
    });

    it("points the people authorizer at this stack's user pool and portal client", () => {
      const variables = dig(
        resource(defaults, 'AuthorizePeopleLambdaFunction'),
        'Properties.Environment.Variables',
      );

      expect(variables).to.deep.include({
        PEOPLE_JWT_ISSUER: { 'Fn::GetAtt': ['UserPool', 'ProviderURL'] },
        PEOPLE_JWT_AUDIENCE: { Ref: 'UserPoolClient' },
        PEOPLE_JWT_TOKEN_USE: 'id',
      });
    });
  });

  describe('canary releases', () => {
    it('declares the CodeDeploy application for Lambda', () => {
      const applications = ofType(defaults, 'AWS::CodeDeploy::Application');

      expect(applications).to.have.length(1);
      expect(applications[0]?.[1].Properties).to.deep.equal({ ComputePlatform: 'Lambda' });
    });

    for (const name of ROUTE_FUNCTIONS) {
      it(`shifts traffic to ${name} through a Live alias, rolled back by its alarms`, () => {
        const group = resource(defaults, `${name}LambdaFunctionDeploymentGroup`);
        const alias = resource(defaults, `${name}LambdaFunctionAliasLive`);

        expect(group.Type).to.equal('AWS::CodeDeploy::DeploymentGroup');
        expect(group.Properties.DeploymentConfigName).to.deep.equal({
          'Fn::Sub': [DEPLOYMENT_CONFIG_SUB, { ConfigName: 'Canary10Percent5Minutes' }],
        });
        expect(group.Properties.AutoRollbackConfiguration).to.deep.include({ Enabled: true });
        expect(dig(group, 'Properties.AutoRollbackConfiguration.Events')).to.include(
          'DEPLOYMENT_STOP_ON_ALARM',
        );
        expect(group.Properties.AlarmConfiguration).to.deep.equal({
          Alarms: [{ Name: { Ref: `${name}ErrorsAlarm` } }, { Name: { Ref: 'ApiUnexpectedErrorsAlarm' } }],
          Enabled: true,
        });
        expect(alias.Type).to.equal('AWS::Lambda::Alias');
        expect(alias.Properties).to.deep.include({
          Name: 'Live',
          FunctionName: { Ref: `${name}LambdaFunction` },
        });
        expect(alias.UpdatePolicy).to.have.nested.property('CodeDeployLambdaAliasUpdate.DeploymentGroupName');
      });
    }

    it('has API Gateway invoke the Live alias, so that CodeDeploy shifts real traffic', () => {
      const uri = dig(
        resource(defaults, 'ApiGatewayMethodDevicesDeviceidVarGet'),
        'Properties.Integration.Uri',
      );

      expect(JSON.stringify(uri)).to.contain('{"Ref":"GetDeviceLambdaFunctionAliasLive"}');
      expect(resource(defaults, 'GetDeviceLambdaPermissionApiGateway').Properties.FunctionName).to.deep.equal(
        {
          Ref: 'GetDeviceLambdaFunctionAliasLive',
        },
      );
    });

    it("alarms on each route function's own Errors metric", () => {
      expect(resource(defaults, 'GetDeviceErrorsAlarm').Properties).to.deep.include({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'GetDeviceLambdaFunction' } }],
      });
    });

    it('keeps the alarms that roll a release back, and has every alarm notify the operations alert topic', () => {
      const alarms = ofType(defaults, 'AWS::CloudWatch::Alarm');

      expect(alarms.map(([id]) => id)).to.include.members([
        ...ROUTE_FUNCTIONS.map((name) => `${name}ErrorsAlarm`),
        'ApiUnexpectedErrorsAlarm',
      ]);
      for (const [id, alarm] of alarms) {
        expect(alarm.Properties.AlarmActions, id).to.deep.equal([
          { 'Fn::ImportValue': 'serverless-patterns-foundation-policy-OperationsAlertTopicArn' },
        ]);
      }
    });

    it('takes the deployment configuration from the stage parameter', () => {
      expect(
        resource(configured, 'GetDeviceLambdaFunctionDeploymentGroup').Properties.DeploymentConfigName,
      ).to.deep.equal({
        'Fn::Sub': [DEPLOYMENT_CONFIG_SUB, { ConfigName: 'Linear10PercentEvery1Minute' }],
      });
    });

    it('gives CodeDeploy a role without Lambda full access', () => {
      const role = resource(defaults, 'CanaryDeploymentRole');

      expect(deployed(defaults)).to.not.have.property('CodeDeployServiceRole');
      expect(role.Properties.ManagedPolicyArns).to.deep.equal([{ 'Fn::Sub': CODEDEPLOY_POLICY_SUB }]);
    });

    it('leaves the authorizers out of canary releases', () => {
      for (const name of AUTHORIZER_FUNCTIONS) {
        expect(deployed(defaults)).to.not.have.property(`${name}LambdaFunctionAliasLive`);
      }
    });
  });

  describe('stage', () => {
    it('is declared with its throttling, and the deployment no longer creates it', () => {
      const [[deploymentId, deployment]] = ofType(defaults, 'AWS::ApiGateway::Deployment') as [
        [string, Resource],
      ];

      expect(deployment.Properties).to.not.have.property('StageName');
      expect(resource(defaults, 'ApiGatewayStage').Properties).to.deep.include({
        DeploymentId: { Ref: deploymentId },
        StageName: 'policy',
        TracingEnabled: true,
        MethodSettings: [
          { ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
        ],
      });
    });

    it('writes a JSON access log line per request to a log group kept 30 days', () => {
      const setting = resource(defaults, 'ApiGatewayStage').Properties.AccessLogSetting as {
        DestinationArn: unknown;
        Format: string;
      };

      expect(setting.DestinationArn).to.deep.equal({ 'Fn::GetAtt': ['ApiAccessLogGroup', 'Arn'] });
      expect(Object.keys(JSON.parse(setting.Format))).to.include.members([
        'requestId',
        'ip',
        'caller',
        'httpMethod',
        'resourcePath',
        'status',
        'protocol',
        'responseLength',
        'integrationLatency',
      ]);
      expect(resource(defaults, 'ApiAccessLogGroup').Properties).to.deep.include({ RetentionInDays: 30 });
    });

    it('takes its throttling from the stage parameters', () => {
      expect(resource(configured, 'ApiGatewayStage').Properties.MethodSettings).to.deep.equal([
        { ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: '7', ThrottlingBurstLimit: '9' },
      ]);
    });

    it('is served from a regional endpoint', () => {
      expect(resource(defaults, 'ApiGatewayRestApi').Properties.EndpointConfiguration).to.deep.equal({
        Types: ['REGIONAL'],
      });
    });
  });

  describe('custom domain', () => {
    it('is declared only when the stage names a domain', () => {
      expect(deployed(defaults)).to.not.have.any.keys('ApiDomainName', 'ApiBasePathMapping');
      expect(defaults.Outputs).to.not.have.property('ApiRegionalDomainName');
      expect(configured.Outputs).to.have.property('ApiRegionalDomainName');
    });

    it('leaves the portal on CloudFront’s own domain and certificate when the stage names none', () => {
      const config = resource(defaults, 'PortalDistribution').Properties.DistributionConfig as Record<
        string,
        unknown
      >;

      expect(config).to.not.have.property('Aliases');
      expect(config.ViewerCertificate).to.deep.equal({ CloudFrontDefaultCertificate: true });
    });

    it("lets the portal's scripts reach the API only through the domain, which carries every service's routes", () => {
      const directives = dig(
        resource(configured, 'PortalResponseHeadersPolicy'),
        'Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig.ContentSecurityPolicy.ContentSecurityPolicy',
      );
      const connectSrc = resolved(directives, {
        'AWS::AccountId': '123456789012',
        'AWS::Region': 'eu-west-1',
        'AWS::URLSuffix': 'amazonaws.com',
      })
        .split('; ')
        .find((directive) => directive.startsWith('connect-src'));

      expect(connectSrc).to.equal(
        "connect-src 'self' https://api.example.com https://cognito-idp.eu-west-1.amazonaws.com " +
          'https://cognito-identity.eu-west-1.amazonaws.com ' +
          'https://sp-123456789012-eu-west-1-policy-images.s3.eu-west-1.amazonaws.com',
      );
    });

    it('maps /devices of a regional domain, with its certificate, to the stage', () => {
      expect(resource(configured, 'ApiDomainName').Properties).to.deep.equal({
        DomainName: 'api.example.com',
        RegionalCertificateArn: STAGE_PARAMETERS.certificateArn,
        EndpointConfiguration: { Types: ['REGIONAL'] },
        SecurityPolicy: 'TLS_1_2',
      });
      expect(resource(configured, 'ApiBasePathMapping').Properties).to.deep.equal({
        DomainName: { Ref: 'ApiDomainName' },
        RestApiId: { Ref: 'ApiGatewayRestApi' },
        Stage: { Ref: 'ApiGatewayStage' },
      });
    });
  });

  describe('least privilege', () => {
    it('gives every function its own role with only the table actions its route needs', () => {
      const permissions = Object.fromEntries(
        [...ROUTE_FUNCTIONS, ...AUTHORIZER_FUNCTIONS].map((name) => [name, dataPermissions(defaults, name)]),
      );

      expect(permissions).to.deep.equal({
        RegisterDevice: ['dynamodb:PutItem on owner#*'],
        ListDevices: ['dynamodb:Query on owner#*'],
        GetDevice: ['dynamodb:GetItem on owner#*'],
        UpdateDeviceThreshold: ['dynamodb:UpdateItem on owner#*'],
        DeleteDevice: ['dynamodb:DeleteItem on owner#*, device#*'],
        IssueDeviceToken: ['dynamodb:ConditionCheckItem on owner#*', 'dynamodb:UpdateItem on device#*'],
        GetProfile: [],
        CountDevices: ['dynamodb:Scan'],
        CheckCredentials: [],
        CountDevicesSigned: ['dynamodb:Scan'],
        AuthorizePeople: [],
        AuthorizeAdmin: [],
        AuthorizeDevice: ['dynamodb:GetItem on device#*'],
      });
    });
  });
});
