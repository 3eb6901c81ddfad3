import { expect } from 'chai';
import {
  type CloudFormationResource,
  type CloudFormationTemplate,
  checkTemplate,
  formatViolations,
  RULE_NAMES,
  type RuleName,
  type Violation,
  WILDCARD_RESOURCE_ALLOWED,
} from './check-template';
import oslsCompliantService from './fixtures/osls-compliant-service.json' with { type: 'json' };
import oslsDefaultService from './fixtures/osls-default-service.json' with { type: 'json' };
import violatingTemplate from './fixtures/violating-template.json' with { type: 'json' };

const encryptedBucket = (): CloudFormationResource => ({
  Type: 'AWS::S3::Bucket',
  Properties: {
    BucketEncryption: {
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    },
    PublicAccessBlockConfiguration: {
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    },
  },
});

const tlsOnlyPolicy = (bucket: string): CloudFormationResource => ({
  Type: 'AWS::S3::BucketPolicy',
  Properties: {
    Bucket: { Ref: bucket },
    PolicyDocument: {
      Statement: [
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:*',
          Resource: [{ 'Fn::GetAtt': [bucket, 'Arn'] }, { 'Fn::Sub': `\${${bucket}.Arn}/*` }],
          Condition: { Bool: { 'aws:SecureTransport': false } },
        },
      ],
    },
  },
});

const tracedFunction = (role: string): CloudFormationResource => ({
  Type: 'AWS::Lambda::Function',
  Properties: {
    Runtime: 'nodejs24.x',
    Handler: 'index.handler',
    Code: { ZipFile: 'exports.handler = async () => {};' },
    TracingConfig: { Mode: 'Active' },
    Role: { 'Fn::GetAtt': [role, 'Arn'] },
  },
});

const roleWith = (...statements: Record<string, unknown>[]): CloudFormationResource => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    AssumeRolePolicyDocument: {
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    },
    Policies: [{ PolicyName: 'function', PolicyDocument: { Version: '2012-10-17', Statement: statements } }],
  },
});

/** An alarm that notifies AlertTopic at the first failure counted by the metric. */
const alarmOn = (namespace: string, metricName: string, dimension: string, value: unknown) => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    Namespace: namespace,
    MetricName: metricName,
    Dimensions: [{ Name: dimension, Value: value }],
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 0,
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: [{ Ref: 'AlertTopic' }],
  },
});

/** One resource of every checked type, each compliant. */
const minimalCompliantTemplate = (): CloudFormationTemplate => ({
  Resources: {
    Uploads: encryptedBucket(),
    UploadsPolicy: tlsOnlyPolicy('Uploads'),
    Readings: {
      Type: 'AWS::DynamoDB::Table',
      Properties: {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
    },
    Clicks: { Type: 'AWS::Kinesis::Stream', Properties: { StreamEncryption: { EncryptionType: 'KMS' } } },
    Events: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: 'alias/aws/sns' } },
    Failures: { Type: 'AWS::SQS::Queue', Properties: { SqsManagedSseEnabled: true } },
    AlertKey: { Type: 'AWS::KMS::Key', Properties: {} },
    AlertTopic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'AlertKey' } } },
    ReadFunctionErrorsAlarm: alarmOn('AWS/Lambda', 'Errors', 'FunctionName', { Ref: 'ReadFunction' }),
    FailuresVisibleAlarm: alarmOn('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', {
      'Fn::GetAtt': ['Failures', 'QueueName'],
    }),
    Archive: {
      Type: 'AWS::KinesisFirehose::DeliveryStream',
      Properties: { DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' } },
    },
    ReadLogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: 14 } },
    ReadFunction: tracedFunction('ReadRole'),
    ReadRole: roleWith(
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Resource: '*' },
      { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::GetAtt': ['Readings', 'Arn'] } },
    ),
    ClicksMapping: {
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['Clicks', 'Arn'] },
        FunctionName: { Ref: 'ReadFunction' },
        StartingPosition: 'TRIM_HORIZON',
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['Failures', 'Arn'] } } },
      },
    },
    Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'api' } },
    ApiDeployment: { Type: 'AWS::ApiGateway::Deployment', Properties: { RestApiId: { Ref: 'Api' } } },
    ApiStage: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        RestApiId: { Ref: 'Api' },
        DeploymentId: { Ref: 'ApiDeployment' },
        StageName: 'dev',
        TracingEnabled: true,
      },
    },
  },
});

const templateWith = (resources: Record<string, CloudFormationResource>): CloudFormationTemplate => ({
  Resources: { ...minimalCompliantTemplate().Resources, ...resources },
});

const keys = (violations: readonly Violation[]): string[] =>
  violations.map(({ rule, resource }) => `${rule} ${resource}`).sort();

const oslsProvider = { tracing: { lambda: true, apiGateway: true } };

describe('checkTemplate', () => {
  it('finds nothing wrong in a minimal compliant template', () => {
    // Prepare
    const template = minimalCompliantTemplate();

    // Act
    const violations = checkTemplate(template);

    // Assess
    expect(violations, formatViolations(violations)).to.deep.equal([]);
  });

  describe('on a template with one offence per resource', () => {
    const expected: [RuleName, string][] = [
      ['no-wildcard-action', 'WildcardServiceRole'],
      ['no-wildcard-action', 'AdministratorPolicy'],
      ['wildcard-resource', 'AdministratorPolicy'],
      ['wildcard-resource', 'AnyTablePolicy'],
      ['bucket-encryption', 'UnencryptedBucket'],
      ['bucket-public-access', 'PublicBucket'],
      ['bucket-tls-only', 'PlainTransportBucket'],
      ['table-pitr', 'UnrecoverableTable'],
      ['table-encryption', 'UnencryptedTable'],
      ['runtime', 'OldRuntimeFunction'],
      ['tracing', 'UntracedFunction'],
      ['one-role-per-function', 'FirstSharingFunction'],
      ['one-role-per-function', 'SecondSharingFunction'],
      ['log-retention', 'ForeverLogGroup'],
      ['stream-encryption', 'PlainStream'],
      ['stream-encryption', 'PlainTopic'],
      ['stream-encryption', 'PlainQueue'],
      ['stream-encryption', 'PlainDeliveryStream'],
      ['event-source-failure-destination', 'RetryForeverMapping'],
      ['managed-policy', 'WildcardServiceRole'],
      ['failure-alarm', 'SilentFunction'],
      ['failure-alarm', 'UnwatchedFailureQueue'],
      ['failure-alarm', 'SilentStateMachine'],
    ];
    let violations: Violation[] = [];

    before(() => {
      // Act
      violations = checkTemplate(violatingTemplate);
    });

    for (const [rule, resource] of expected) {
      it(`reports ${rule} on ${resource}, naming it in the message`, () => {
        // Assess
        const found = violations.filter((v) => v.rule === rule && v.resource === resource);

        expect(found, formatViolations(violations)).to.have.lengthOf(1);
        expect(found[0]?.message).to.include(resource);
      });
    }

    it('reports nothing else', () => {
      // Assess
      expect(keys(violations), formatViolations(violations)).to.deep.equal(
        keys(expected.map(([rule, resource]) => ({ rule, resource, message: '' }))),
      );
    });

    it('fires every rule', () => {
      // Assess
      expect(new Set(violations.map((v) => v.rule))).to.deep.equal(new Set(RULE_NAMES));
    });

    it('names the offending action, the role it is in and the shared role', () => {
      // Assess
      const messages = violations.map((v) => v.message);
      expect(messages).to.include('Role WildcardServiceRole policy uploads statement #1 allows s3:*.');
      expect(messages.find((m) => m.includes('AnyTablePolicy'))).to.include('(ReadAnyTable)');
      expect(messages.find((m) => m.includes('AnyTablePolicy'))).to.include('dynamodb:GetItem');
      expect(messages).to.include(
        'Function FirstSharingFunction shares role SharedRole with SecondSharingFunction.',
      );
      expect(messages).to.include(
        'Function OldRuntimeFunction has Runtime "nodejs20.x"; expected nodejs24.x.',
      );
    });
  });

  describe('on what osls generates', () => {
    it('accepts a compliant service once told that osls traces the REST API stage', () => {
      // Act
      const violations = checkTemplate(oslsCompliantService, { serverlessProvider: oslsProvider });

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });

    it('cannot see REST API stage tracing in the template alone', () => {
      // Act
      const violations = checkTemplate(oslsCompliantService);

      // Assess
      expect(keys(violations)).to.deep.equal(['tracing ApiGatewayDeployment1796402129661']);
      expect(violations[0]?.message).to.include('options.serverlessProvider');
    });

    it('reports the deployment bucket without public access block, the log group without retention and the function without alarm', () => {
      // Act
      const violations = checkTemplate(oslsDefaultService, { serverlessProvider: oslsProvider });

      // Assess
      expect(keys(violations), formatViolations(violations)).to.deep.equal([
        'bucket-public-access ServerlessDeploymentBucket',
        'failure-alarm HelloLambdaFunction',
        'log-retention HelloLogGroup',
      ]);
    });
  });

  describe('wildcard-resource', () => {
    for (const actions of [
      ['xray:PutTraceSegments'],
      ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
      ['cloudwatch:PutMetricData'],
      ['ec2:DescribeNetworkInterfaces', 'ec2:Describe*'],
      ['rekognition:DetectLabels'],
      ['sts:GetCallerIdentity'],
      ['XRay:PutTraceSegments'],
    ]) {
      it(`allows Resource "*" for ${actions.join(', ')}`, () => {
        // Prepare
        const template = templateWith({
          ReadRole: roleWith({ Effect: 'Allow', Action: actions, Resource: ['*'] }),
        });

        // Act
        const violations = checkTemplate(template);

        // Assess
        expect(violations, formatViolations(violations)).to.deep.equal([]);
      });
    }

    describe('log delivery of a state machine', () => {
      const logDelivery = {
        Effect: 'Allow',
        Action: ['logs:CreateLogDelivery', 'logs:PutResourcePolicy', 'logs:DescribeLogGroups'],
        Resource: '*',
      };
      const assumedBy = (service: unknown, statement: Record<string, unknown>): CloudFormationResource => ({
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole' }],
          },
          Policies: [{ PolicyName: 'logs', PolicyDocument: { Statement: [statement] } }],
        },
      });

      it('allows it on Resource "*" in a role that only Step Functions assumes', () => {
        // Prepare
        const template = templateWith({
          // As serverless-step-functions writes it: the regional service principal.
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
          WorkflowRole: assumedBy({ 'Fn::Sub': 'states.${AWS::Region}.amazonaws.com' }, logDelivery),
          OtherWorkflowRole: assumedBy('states.amazonaws.com', logDelivery),
        });

        // Act
        const violations = checkTemplate(template);

        // Assess
        expect(violations, formatViolations(violations)).to.deep.equal([]);
      });

      it("refuses it in a function's role, naming each action", () => {
        // Prepare
        const template = templateWith({ ReadRole: roleWith(logDelivery) });

        // Act
        const violations = checkTemplate(template);

        // Assess
        expect(keys(violations)).to.deep.equal(['wildcard-resource ReadRole']);
        expect(violations[0]?.message).to.include(
          'logs:CreateLogDelivery, logs:PutResourcePolicy, logs:DescribeLogGroups',
        );
      });

      it('refuses it in a role that another principal may assume too', () => {
        // Prepare
        const template = templateWith({
          WorkflowRole: assumedBy(['states.amazonaws.com', 'lambda.amazonaws.com'], logDelivery),
        });

        // Act
        const violations = checkTemplate(template);

        // Assess
        expect(keys(violations)).to.deep.equal(['wildcard-resource WorkflowRole']);
      });
    });

    it('refuses Resource "*" when one action of the statement is not on the allow-list', () => {
      // Prepare
      const statement = { Effect: 'Allow', Action: ['xray:PutTraceSegments', 's3:GetObject'], Resource: '*' };
      const template = templateWith({ ReadRole: roleWith(statement) });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations).to.have.lengthOf(1);
      expect(violations[0]).to.include({ rule: 'wildcard-resource', resource: 'ReadRole' });
      expect(violations[0]?.message).to.include('s3:GetObject').and.not.include('xray:PutTraceSegments');
    });

    it('refuses Resource "*" for an action given by an intrinsic function, which cannot be checked', () => {
      // Prepare
      const statement = { Effect: 'Allow', Action: [{ Ref: 'ActionParameter' }], Resource: '*' };
      const template = templateWith({ ReadRole: roleWith(statement) });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['wildcard-resource ReadRole']);
    });

    it('refuses NotResource, which grants every other resource', () => {
      // Prepare
      const statement = {
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        NotResource: 'arn:aws:dynamodb:*:*:table/x',
      };
      const template = templateWith({ ReadRole: roleWith(statement) });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['wildcard-resource ReadRole']);
    });

    it('documents a reason and an AWS page for every allowed action', () => {
      // Assess
      for (const [action, { reason, documentation }] of Object.entries(WILDCARD_RESOURCE_ALLOWED)) {
        expect(reason, action).to.have.length.greaterThan(20);
        expect(documentation, action).to.match(/^https:\/\/docs\.aws\.amazon\.com\//);
      }
    });
  });

  describe('no-wildcard-action', () => {
    it('ignores Deny statements, which may use wildcards to forbid', () => {
      // Prepare
      const template = templateWith({
        ReadRole: roleWith(
          { Effect: 'Allow', Action: 'xray:PutTraceSegments', Resource: '*' },
          { Effect: 'Deny', Action: ['s3:*', '*'], Resource: '*' },
        ),
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });

    it('matches service wildcards whatever their case', () => {
      // Prepare
      const statement = {
        Effect: 'Allow',
        Action: 'DynamoDB:*',
        Resource: { 'Fn::GetAtt': ['Readings', 'Arn'] },
      };
      const template = templateWith({ ReadRole: roleWith(statement) });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['no-wildcard-action ReadRole']);
    });

    it('accepts a partial wildcard such as s3:Get*', () => {
      // Prepare
      const statement = {
        Effect: 'Allow',
        Action: 's3:Get*',
        Resource: { 'Fn::GetAtt': ['Uploads', 'Arn'] },
      };
      const template = templateWith({ ReadRole: roleWith(statement) });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });

    it('refuses NotAction with Allow, which grants every other action', () => {
      // Prepare
      const statement = {
        Effect: 'Allow',
        NotAction: 'iam:*',
        Resource: { 'Fn::GetAtt': ['Readings', 'Arn'] },
      };
      const template = templateWith({ ReadRole: roleWith(statement) });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['no-wildcard-action ReadRole']);
    });
  });

  describe('one-role-per-function', () => {
    it('refuses a role that is not defined in the template', () => {
      // Prepare
      const template = templateWith({
        ReadFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            ...tracedFunction('ReadRole').Properties,
            Role: 'arn:aws:iam::123456789012:role/shared',
          },
        },
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['one-role-per-function ReadFunction']);
    });

    it('does not count a state machine that shares a function role', () => {
      // Prepare
      const template = templateWith({
        Workflow: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { RoleArn: { 'Fn::GetAtt': ['ReadRole', 'Arn'] } },
        },
        WorkflowFailedAlarm: alarmOn('AWS/States', 'ExecutionsFailed', 'StateMachineArn', {
          Ref: 'Workflow',
        }),
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });
  });

  describe('tracing', () => {
    it('refuses an API Gateway stage without TracingEnabled', () => {
      // Prepare
      const template = templateWith({
        ApiStage: {
          Type: 'AWS::ApiGateway::Stage',
          Properties: { RestApiId: { Ref: 'Api' }, DeploymentId: { Ref: 'ApiDeployment' }, StageName: 'dev' },
        },
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['tracing ApiStage']);
    });

    it('accepts a deployment whose stage description enables tracing', () => {
      // Prepare
      const template = templateWith({
        ApiDeployment: {
          Type: 'AWS::ApiGateway::Deployment',
          Properties: {
            RestApiId: { Ref: 'Api' },
            StageName: 'v1',
            StageDescription: { TracingEnabled: true },
          },
        },
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });

    it('does not trust osls to trace the stage of an API outside the template, which it skips', () => {
      // Prepare
      const template = templateWith({
        ApiDeployment: {
          Type: 'AWS::ApiGateway::Deployment',
          Properties: { RestApiId: 'a1b2c3d4e5', StageName: 'dev' },
        },
      });

      // Act
      const violations = checkTemplate(template, { serverlessProvider: oslsProvider });

      // Assess
      expect(keys(violations)).to.deep.equal(['tracing ApiDeployment']);
    });
  });

  describe('bucket-tls-only', () => {
    it('does not count a TLS policy written for another bucket', () => {
      // Prepare
      const template = templateWith({ Images: encryptedBucket(), ImagesPolicy: tlsOnlyPolicy('Uploads') });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['bucket-tls-only Images']);
    });
  });

  describe('stream-encryption', () => {
    it('exempts a Firehose stream reading a Kinesis stream, whose data stays encrypted there', () => {
      // Prepare
      const template = templateWith({
        Archive: {
          Type: 'AWS::KinesisFirehose::DeliveryStream',
          Properties: { DeliveryStreamType: 'KinesisStreamAsSource' },
        },
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });

    it('requires encryption of a Firehose stream of unstated type, which is DirectPut', () => {
      // Prepare
      const template = templateWith({
        Archive: { Type: 'AWS::KinesisFirehose::DeliveryStream', Properties: {} },
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['stream-encryption Archive']);
    });

    it('accepts a queue encrypted with a KMS key', () => {
      // Prepare
      const template = templateWith({
        Failures: { Type: 'AWS::SQS::Queue', Properties: { KmsMasterKeyId: 'alias/aws/sqs' } },
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });
  });

  describe('event-source-failure-destination', () => {
    const mapping = (properties: Record<string, unknown>): CloudFormationResource => ({
      Type: 'AWS::Lambda::EventSourceMapping',
      Properties: { FunctionName: { Ref: 'ReadFunction' }, ...properties },
    });

    it('exempts an SQS mapping, whose queue redrives to its own dead-letter queue', () => {
      // Prepare
      const template = templateWith({
        FailuresMapping: mapping({ EventSourceArn: { 'Fn::GetAtt': ['Failures', 'Arn'] } }),
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });

    it('refuses a DynamoDB stream mapping without a failure destination', () => {
      // Prepare
      const source = {
        EventSourceArn: { 'Fn::GetAtt': ['Readings', 'StreamArn'] },
        StartingPosition: 'LATEST',
      };
      const template = templateWith({ ReadingsMapping: mapping(source) });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['event-source-failure-destination ReadingsMapping']);
    });

    it('recognises a stream by its ARN when the stream is in another stack', () => {
      // Prepare
      const template = templateWith({
        ImportedMapping: mapping({ EventSourceArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks' }),
        ImportedQueueMapping: mapping({ EventSourceArn: 'arn:aws:sqs:eu-west-1:123456789012:jobs' }),
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['event-source-failure-destination ImportedMapping']);
    });

    it('treats an imported source with a starting position as a stream', () => {
      // Prepare
      const source = {
        EventSourceArn: { 'Fn::ImportValue': 'clicks-stream-arn' },
        StartingPosition: 'LATEST',
      };
      const template = templateWith({ ImportedMapping: mapping(source) });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['event-source-failure-destination ImportedMapping']);
    });
  });

  describe('failure-alarm', () => {
    const withoutActions = (alarm: CloudFormationResource): CloudFormationResource => ({
      ...alarm,
      Properties: { ...alarm.Properties, AlarmActions: [] },
    });
    const authorizer = {
      Type: 'AWS::ApiGateway::Authorizer',
      Properties: {
        RestApiId: { Ref: 'Api' },
        Type: 'TOKEN',
        AuthorizerUri: {
          'Fn::Join': [
            '',
            [
              'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/',
              { 'Fn::GetAtt': ['ReadFunction', 'Arn'] },
              '/invocations',
            ],
          ],
        },
      },
    };
    const named = (name: string): CloudFormationResource => ({
      Type: 'AWS::ApiGateway::RestApi',
      Properties: { Name: name },
    });

    it('does not count an alarm that notifies no one', () => {
      // Prepare
      const template = templateWith({
        ReadFunctionErrorsAlarm: withoutActions(
          alarmOn('AWS/Lambda', 'Errors', 'FunctionName', { Ref: 'ReadFunction' }),
        ),
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['failure-alarm ReadFunction']);
    });

    it('accepts an alarm at one or more failures, and a function named by its declared name', () => {
      // Prepare
      const alarm = alarmOn('AWS/Lambda', 'Errors', 'FunctionName', 'orders-read');
      const template = templateWith({
        ReadFunction: {
          ...tracedFunction('ReadRole'),
          Properties: { ...tracedFunction('ReadRole').Properties, FunctionName: 'orders-read' },
        },
        ReadFunctionErrorsAlarm: {
          ...alarm,
          Properties: {
            ...alarm.Properties,
            Threshold: 1,
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          },
        },
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });

    it("counts, for an authorizer, an alarm on the 5XXError of the API it guards, not its refusals' Errors", () => {
      // Prepare
      const template = templateWith({
        Api: named('orders-dev'),
        ReadAuthorizer: authorizer,
        ReadFunctionErrorsAlarm: alarmOn('AWS/ApiGateway', '5XXError', 'ApiName', 'orders-dev'),
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });

    it("refuses an authorizer whose API's 5XXError no alarm watches, naming the API", () => {
      // Prepare
      const template = templateWith({
        Api: named('orders-dev'),
        ReadAuthorizer: authorizer,
        ReadFunctionErrorsAlarm: alarmOn('AWS/ApiGateway', '5XXError', 'ApiName', 'another-api'),
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['failure-alarm ReadFunction']);
      expect(violations[0]?.message).to.include('5XXError of the API it authorizes (Api)');
    });

    it('finds the dead-letter queues of queues, SNS subscriptions and EventBridge targets', () => {
      // Prepare
      const queue = (): CloudFormationResource => ({
        Type: 'AWS::SQS::Queue',
        Properties: { SqsManagedSseEnabled: true },
      });
      const template = templateWith({
        Jobs: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            SqsManagedSseEnabled: true,
            // A JSON property may be given as text.
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:123456789012:x' }),
          },
        },
        JobsLetters: queue(),
        JobsRedrive: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            SqsManagedSseEnabled: true,
            RedrivePolicy: {
              deadLetterTargetArn: { 'Fn::GetAtt': ['JobsLetters', 'Arn'] },
              maxReceiveCount: 3,
            },
          },
        },
        SubscriptionLetters: queue(),
        Subscription: {
          Type: 'AWS::SNS::Subscription',
          Properties: {
            RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['SubscriptionLetters', 'Arn'] } },
          },
        },
        RuleLetters: queue(),
        Rule: {
          Type: 'AWS::Events::Rule',
          Properties: {
            Targets: [{ Id: 'read', DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['RuleLetters', 'Arn'] } } }],
          },
        },
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal([
        'failure-alarm JobsLetters',
        'failure-alarm RuleLetters',
        'failure-alarm SubscriptionLetters',
      ]);
      expect(violations.find((v) => v.resource === 'JobsLetters')?.message).to.include('(of JobsRedrive)');
    });

    describe('with the alert topic named by its export', () => {
      const alertTopicExport = 'ops-dev-OperationsAlertTopicArn';
      const notifying = (action: unknown) => {
        const alarm = alarmOn('AWS/Lambda', 'Errors', 'FunctionName', { Ref: 'ReadFunction' });
        // The queue's alarm keeps notifying AlertTopic, which is the alert topic only where it is exported.
        return templateWith({
          ReadFunctionErrorsAlarm: { ...alarm, Properties: { ...alarm.Properties, AlarmActions: [action] } },
        });
      };

      it('counts an alarm that notifies the imported topic', () => {
        // Act
        const violations = checkTemplate(notifying({ 'Fn::ImportValue': alertTopicExport }), {
          alertTopicExport,
        });

        // Assess
        expect(keys(violations)).to.deep.equal(['failure-alarm Failures']);
        expect(violations[0]?.message).to.include(`the alert topic (export ${alertTopicExport})`);
      });

      it('counts, in the stack that exports it, an alarm that notifies the topic itself', () => {
        // Prepare
        const template = {
          ...notifying({ Ref: 'AlertTopic' }),
          Outputs: { AlertTopicArn: { Value: { Ref: 'AlertTopic' }, Export: { Name: alertTopicExport } } },
        };

        // Act
        const violations = checkTemplate(template, { alertTopicExport });

        // Assess
        expect(violations, formatViolations(violations)).to.deep.equal([]);
      });

      it('does not count an alarm that notifies another topic', () => {
        // Act
        const violations = checkTemplate(notifying({ Ref: 'AlertTopic' }), { alertTopicExport });

        // Assess
        expect(keys(violations)).to.deep.equal(['failure-alarm Failures', 'failure-alarm ReadFunction']);
      });
    });
  });

  describe('intrinsic functions', () => {
    it('treats values known only at deploy time as present', () => {
      // Prepare
      const unknown = { 'Fn::If': ['IsProduction', 'a', 'b'] };
      const template = templateWith({
        ReadFunction: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Runtime: { Ref: 'RuntimeParameter' },
            TracingConfig: unknown,
            Role: { 'Fn::GetAtt': 'ReadRole.Arn' },
          },
        },
        Readings: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            PointInTimeRecoverySpecification: unknown,
            SSESpecification: { SSEEnabled: unknown },
          },
        },
        Events: {
          Type: 'AWS::SNS::Topic',
          Properties: { KmsMasterKeyId: { 'Fn::ImportValue': 'events-key' } },
        },
        ReadLogGroup: { Type: 'AWS::Logs::LogGroup', Properties: { RetentionInDays: { Ref: 'Retention' } } },
        Uploads: {
          Type: 'AWS::S3::Bucket',
          Properties: { BucketEncryption: unknown, PublicAccessBlockConfiguration: unknown },
        },
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(violations, formatViolations(violations)).to.deep.equal([]);
    });

    it('treats AWS::NoValue as absent', () => {
      // Prepare
      const template = templateWith({
        Events: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { Ref: 'AWS::NoValue' } } },
        Readings: {
          Type: 'AWS::DynamoDB::Table',
          Properties: {
            PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: { Ref: 'AWS::NoValue' } },
            SSESpecification: { SSEEnabled: true },
          },
        },
      });

      // Act
      const violations = checkTemplate(template);

      // Assess
      expect(keys(violations)).to.deep.equal(['stream-encryption Events', 'table-pitr Readings']);
    });

    it('does not crash on a template without resources', () => {
      // Assess
      expect(checkTemplate({})).to.deep.equal([]);
    });
  });

  describe('exemptions', () => {
    it('drops only the exempted rule on the exempted resource', () => {
      // Prepare
      const template = templateWith({
        Events: { Type: 'AWS::SNS::Topic', Properties: {} },
        Jobs: { Type: 'AWS::SQS::Queue', Properties: {} },
      });
      const exemptions = [
        {
          rule: 'stream-encryption' as const,
          resource: 'Events',
          reason: 'Carries public announcements only.',
        },
      ];

      // Act
      const violations = checkTemplate(template, { exemptions });

      // Assess
      expect(keys(violations)).to.deep.equal(['stream-encryption Jobs']);
    });
  });
});

describe('formatViolations', () => {
  it('lists each violation with its rule and resource', () => {
    // Prepare
    const violations: Violation[] = [
      {
        rule: 'log-retention',
        resource: 'HelloLogGroup',
        message: 'Log group HelloLogGroup has no RetentionInDays.',
      },
      { rule: 'runtime', resource: 'HelloLambdaFunction', message: 'Function HelloLambdaFunction is old.' },
    ];

    // Act
    const text = formatViolations(violations);

    // Assess
    expect(text).to.equal(
      [
        '2 template policy violation(s):',
        '  - [log-retention] HelloLogGroup: Log group HelloLogGroup has no RetentionInDays.',
        '  - [runtime] HelloLambdaFunction: Function HelloLambdaFunction is old.',
      ].join('\n'),
    );
  });

  it('says so when there is nothing to report', () => {
    // Assess
    expect(formatViolations([])).to.equal('No template policy violations.');
  });
});
