/**
 * Policy checks on a packaged CloudFormation template (what `osls package` writes to
 * .serverless/cloudformation-template-update-stack.json). Pure: no AWS SDK, no environment.
 */

export const RULE_NAMES = [
  'runtime',
  'tracing',
  'one-role-per-function',
  'no-wildcard-action',
  'wildcard-resource',
  'bucket-encryption',
  'bucket-public-access',
  'bucket-tls-only',
  'table-pitr',
  'table-encryption',
  'stream-encryption',
  'log-retention',
  'event-source-failure-destination',
  'managed-policy',
  'failure-alarm',
] as const;

export type RuleName = (typeof RULE_NAMES)[number];

export interface Violation {
  rule: RuleName;
  /** Logical id of the offending resource. */
  resource: string;
  message: string;
}

export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface CloudFormationTemplate {
  Resources?: Record<string, CloudFormationResource>;
  [key: string]: unknown;
}

/** A known, accepted violation. The reason is required so that every waiver explains itself. */
export interface Exemption {
  rule: RuleName;
  resource: string;
  reason: string;
}

export interface CheckTemplateOptions {
  /** Defaults to `nodejs24.x`. */
  runtime?: string;
  /**
   * `service.provider` from .serverless/serverless-state.json. osls does not put REST API stage tracing
   * in the template: it creates the stage through AWS::ApiGateway::Deployment.StageName and turns
   * X-Ray on with an UpdateStage call after the stack deploys (osls
   * lib/plugins/aws/package/compile/events/api-gateway/lib/hack/update-stage.js). Only this setting
   * tells whether that stage will be traced.
   */
  serverlessProvider?: { tracing?: { apiGateway?: unknown } };
  exemptions?: readonly Exemption[];
  /**
   * The export name of the stage's operations alert topic (the ops stack exports it, the others import
   * it). The failure-alarm rule then counts only alarms that notify that topic. Without it, an alarm
   * counts if it notifies any SNS topic.
   */
  alertTopicExport?: string;
}

export interface WildcardResourceReason {
  reason: string;
  documentation: string;
  /**
   * Allowed only in roles that this AWS service alone may assume (the name of its service principal,
   * `states` for states.amazonaws.com or states.<region>.amazonaws.com): the grant is the service's.
   */
  assumedBy?: string;
}

const SERVICE_AUTHORIZATION_REFERENCE = 'https://docs.aws.amazon.com/service-authorization/latest/reference';

const xrayReason: WildcardResourceReason = {
  reason: 'X-Ray defines no resource type for sending traces or reading sampling rules.',
  documentation: `${SERVICE_AUTHORIZATION_REFERENCE}/list_awsx-ray.html`,
};

const stateMachineLogDelivery: WildcardResourceReason = {
  reason:
    "Step Functions sets up the delivery of a state machine's logs to CloudWatch Logs with these actions, " +
    'which take no resource; AWS documents the state machine role\'s policy with Resource "*".',
  documentation: 'https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html',
  assumedBy: 'states',
};

/**
 * Actions that may be granted on `Resource: "*"`, because they have no resource-level permissions.
 * An entry ending in `*` covers every action that starts with it (and that pattern itself).
 */
export const WILDCARD_RESOURCE_ALLOWED: Readonly<Record<string, WildcardResourceReason>> = {
  'xray:PutTraceSegments': xrayReason,
  'xray:PutTelemetryRecords': xrayReason,
  'xray:GetSamplingRules': xrayReason,
  'xray:GetSamplingTargets': xrayReason,
  'cloudwatch:PutMetricData': {
    reason: 'PutMetricData has no resource type; scope it with the cloudwatch:namespace condition instead.',
    documentation: `${SERVICE_AUTHORIZATION_REFERENCE}/list_amazoncloudwatch.html`,
  },
  'ec2:Describe*': {
    reason: 'EC2 Describe actions do not support resource-level permissions.',
    documentation: 'https://docs.aws.amazon.com/AWSEC2/latest/devguide/ec2-api-permissions.html',
  },
  'rekognition:DetectLabels': {
    reason: 'DetectLabels analyses an image passed in the request and has no resource type.',
    documentation: `${SERVICE_AUTHORIZATION_REFERENCE}/list_amazonrekognition.html`,
  },
  'sts:GetCallerIdentity': {
    reason: 'GetCallerIdentity has no resource and needs no permission; it succeeds even when denied.',
    documentation: 'https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html',
  },
  'cloudformation:ValidateTemplate': {
    reason: 'ValidateTemplate checks a template passed in the request and has no resource type.',
    documentation: `${SERVICE_AUTHORIZATION_REFERENCE}/list_awscloudformation.html`,
  },
  'cloudformation:ListExports': {
    reason:
      "ListExports lists the account's exports and has no resource type (compose reads other stacks' outputs).",
    documentation: `${SERVICE_AUTHORIZATION_REFERENCE}/list_awscloudformation.html`,
  },
  ...Object.fromEntries(
    [
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ].map((action) => [action, stateMachineLogDelivery]),
  ),
};

/**
 * AWS managed policies a role may attach, by name (the part of the ARN after `policy/`). A managed
 * policy is written by AWS and changes without a deploy, so each one here says why its grants are
 * acceptable; anything else goes into the role's own inline statements, where the other rules see it.
 */
export const MANAGED_POLICIES_ALLOWED: Readonly<Record<string, WildcardResourceReason>> = {
  'service-role/AmazonAPIGatewayPushToCloudWatchLogs': {
    reason:
      'API Gateway writes REST API logs with it, through one role per account and region (its account ' +
      'setting): creating and describing log groups and streams, putting events; what AWS documents for it.',
    documentation:
      'https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html#set-up-access-logging-permissions',
  },
  'service-role/AWSCodeDeployRoleForLambdaLimited': {
    reason:
      'CodeDeploy shifts Lambda alias traffic with it (canary releases): lambda:UpdateAlias and GetAlias, ' +
      'and invoking hooks named CodeDeployHook_*; the scoped-down variant of AWSCodeDeployRoleForLambda.',
    documentation:
      'https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForLambdaLimited.html',
  },
};

// Firehose only encrypts at rest what it stores itself: with another source the data stays encrypted by
// that source, and CloudFormation rejects DeliveryStreamEncryptionConfigurationInput on such streams.
// https://docs.aws.amazon.com/firehose/latest/dev/encryption.html
const FIREHOSE_SOURCES_ENCRYPTED_UPSTREAM = new Set([
  'KinesisStreamAsSource',
  'MSKAsSource',
  'DatabaseAsSource',
]);

const DEFAULT_RUNTIME = 'nodejs24.x';

interface Resource {
  id: string;
  type: string;
  properties: Record<string, unknown>;
}

interface Context {
  resources: readonly Resource[];
  byId: ReadonlyMap<string, Resource>;
  options: CheckTemplateOptions;
  /** Export name -> the value it exports, from the template's Outputs. */
  exports: ReadonlyMap<string, unknown>;
}

type Rule = (context: Context) => Violation[];

export function checkTemplate(
  template: CloudFormationTemplate,
  options: CheckTemplateOptions = {},
): Violation[] {
  const resources = readResources(template);
  const context: Context = {
    resources,
    byId: new Map(resources.map((r) => [r.id, r])),
    options,
    exports: readExports(template),
  };
  const exemptions = options.exemptions ?? [];
  return RULE_NAMES.flatMap((name) => RULES[name](context)).filter(
    (violation) =>
      !exemptions.some(
        (exemption) => exemption.rule === violation.rule && exemption.resource === violation.resource,
      ),
  );
}

export function formatViolations(violations: readonly Violation[]): string {
  if (violations.length === 0) return 'No template policy violations.';
  const lines = violations.map((v) => `  - [${v.rule}] ${v.resource}: ${v.message}`);
  return `${violations.length} template policy violation(s):\n${lines.join('\n')}`;
}

const RULES: Record<RuleName, Rule> = {
  'managed-policy': ({ resources }) =>
    ofType(resources, 'AWS::IAM::Role').flatMap(({ id, properties }) =>
      toArray(properties.ManagedPolicyArns).flatMap((arn) => {
        const name = managedPolicyName(arn);
        if (name !== undefined && MANAGED_POLICIES_ALLOWED[name] !== undefined) return [];
        const shown = name ?? JSON.stringify(arn);
        return [
          violation(
            'managed-policy',
            id,
            `Role ${id} attaches managed policy ${shown}, which is not in MANAGED_POLICIES_ALLOWED.`,
          ),
        ];
      }),
    ),

  runtime: ({ resources, options }) => {
    const expected = options.runtime ?? DEFAULT_RUNTIME;
    return ofType(resources, 'AWS::Lambda::Function').flatMap(({ id, properties }) => {
      const runtime = properties.Runtime;
      if (runtime === expected || isIntrinsic(runtime)) return [];
      const actual = runtime === undefined ? 'no Runtime' : `Runtime ${JSON.stringify(runtime)}`;
      return [violation('runtime', id, `Function ${id} has ${actual}; expected ${expected}.`)];
    });
  },

  tracing: ({ resources, byId, options }) => [
    ...ofType(resources, 'AWS::Lambda::Function').flatMap(({ id, properties }) => {
      const mode = lookup(properties.TracingConfig, 'Mode');
      if (mode === 'Active' || isIntrinsic(mode)) return [];
      return [violation('tracing', id, `Function ${id} does not have TracingConfig.Mode Active.`)];
    }),
    ...ofType(resources, 'AWS::ApiGateway::Stage').flatMap(({ id, properties }) =>
      isTrue(properties.TracingEnabled)
        ? []
        : [violation('tracing', id, `API Gateway stage ${id} does not have TracingEnabled true.`)],
    ),
    ...ofType(resources, 'AWS::ApiGateway::Deployment').flatMap(({ id, properties }) => {
      // A deployment without StageName creates no stage; its stage is an AWS::ApiGateway::Stage.
      if (properties.StageName === undefined) return [];
      const described = lookup(properties.StageDescription, 'TracingEnabled');
      if (described !== undefined) {
        return isTrue(described)
          ? []
          : [
              violation(
                'tracing',
                id,
                `API Gateway deployment ${id} sets StageDescription.TracingEnabled false.`,
              ),
            ];
      }
      // osls skips its UpdateStage call for an external API (provider.apiGateway.restApiId).
      const api = byId.get(refTarget(properties.RestApiId) ?? '');
      const tracedByOsls = options.serverlessProvider?.tracing?.apiGateway === true;
      if (tracedByOsls && api?.type === 'AWS::ApiGateway::RestApi') return [];
      return [
        violation(
          'tracing',
          id,
          `API Gateway deployment ${id} creates a stage with no tracing in the template: set ` +
            'StageDescription.TracingEnabled, or, with osls (which traces the stage after deploy), set ' +
            'provider.tracing.apiGateway: true and pass options.serverlessProvider.',
        ),
      ];
    }),
  ],

  'one-role-per-function': ({ resources, byId }) => {
    const functionsByRole = new Map<string, string[]>();
    const violations: Violation[] = [];
    for (const { id, properties } of ofType(resources, 'AWS::Lambda::Function')) {
      const target = getAttTarget(properties.Role);
      if (target?.attribute !== 'Arn' || byId.get(target.id)?.type !== 'AWS::IAM::Role') {
        violations.push(
          violation(
            'one-role-per-function',
            id,
            `Function ${id}: Role is not a Fn::GetAtt to the Arn of an AWS::IAM::Role in this template.`,
          ),
        );
        continue;
      }
      functionsByRole.set(target.id, [...(functionsByRole.get(target.id) ?? []), id]);
    }
    for (const [role, functions] of functionsByRole) {
      if (functions.length < 2) continue;
      for (const id of functions) {
        const others = functions.filter((other) => other !== id).join(', ');
        violations.push(
          violation('one-role-per-function', id, `Function ${id} shares role ${role} with ${others}.`),
        );
      }
    }
    return violations;
  },

  'no-wildcard-action': ({ resources }) =>
    allowStatements(resources).flatMap(({ resource, where, statement }) => {
      if (statement.NotAction !== undefined) {
        return [
          violation(
            'no-wildcard-action',
            resource,
            `${where} allows NotAction, which grants every other action of every service.`,
          ),
        ];
      }
      const wildcards = actionsOf(statement).filter(
        (action): action is string => typeof action === 'string' && isWildcardAction(action),
      );
      return wildcards.length === 0
        ? []
        : [violation('no-wildcard-action', resource, `${where} allows ${wildcards.join(', ')}.`)];
    }),

  'wildcard-resource': ({ resources, byId }) =>
    allowStatements(resources).flatMap(({ resource, where, statement, roles }) => {
      if (statement.NotResource !== undefined) {
        return [
          violation(
            'wildcard-resource',
            resource,
            `${where} allows NotResource, which grants every other resource.`,
          ),
        ];
      }
      if (!toArray(statement.Resource).includes('*')) return [];
      const notAllowed =
        statement.NotAction !== undefined
          ? ['NotAction']
          : actionsOf(statement)
              .filter(
                (action) =>
                  typeof action !== 'string' || !isWildcardResourceAllowed(action, soleService(roles, byId)),
              )
              .map((action) => (typeof action === 'string' ? action : JSON.stringify(action)));
      return notAllowed.length === 0
        ? []
        : [
            violation(
              'wildcard-resource',
              resource,
              `${where} grants ${notAllowed.join(', ')} on Resource "*"; only actions in ` +
                'WILDCARD_RESOURCE_ALLOWED may use it.',
            ),
          ];
    }),

  'bucket-encryption': ({ resources }) =>
    ofType(resources, 'AWS::S3::Bucket').flatMap(({ id, properties }) => {
      const configuration = lookup(properties.BucketEncryption, 'ServerSideEncryptionConfiguration');
      const present =
        isIntrinsic(configuration) || (Array.isArray(configuration) && configuration.length > 0);
      return present
        ? []
        : [
            violation(
              'bucket-encryption',
              id,
              `Bucket ${id} has no BucketEncryption.ServerSideEncryptionConfiguration.`,
            ),
          ];
    }),

  'bucket-public-access': ({ resources }) =>
    ofType(resources, 'AWS::S3::Bucket').flatMap(({ id, properties }) => {
      const block = properties.PublicAccessBlockConfiguration;
      const flags = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];
      const off = flags.filter((flag) => !isTrue(lookup(block, flag)));
      return off.length === 0
        ? []
        : [
            violation(
              'bucket-public-access',
              id,
              `Bucket ${id} does not set PublicAccessBlockConfiguration ${off.join(', ')} to true.`,
            ),
          ];
    }),

  'bucket-tls-only': ({ resources }) => {
    const policies = ofType(resources, 'AWS::S3::BucketPolicy');
    return ofType(resources, 'AWS::S3::Bucket').flatMap((bucket) => {
      const enforced = policies.some(
        ({ properties }) =>
          isPolicyFor(properties.Bucket, bucket) &&
          statementsOf(properties.PolicyDocument).some(deniesInsecureTransport),
      );
      return enforced
        ? []
        : [
            violation(
              'bucket-tls-only',
              bucket.id,
              `Bucket ${bucket.id} has no AWS::S3::BucketPolicy that denies requests with ` +
                'Bool aws:SecureTransport false.',
            ),
          ];
    });
  },

  'table-pitr': ({ resources }) =>
    ofType(resources, 'AWS::DynamoDB::Table').flatMap(({ id, properties }) =>
      isTrue(lookup(properties.PointInTimeRecoverySpecification, 'PointInTimeRecoveryEnabled'))
        ? []
        : [
            violation(
              'table-pitr',
              id,
              `Table ${id} does not set PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled true.`,
            ),
          ],
    ),

  'table-encryption': ({ resources }) =>
    ofType(resources, 'AWS::DynamoDB::Table').flatMap(({ id, properties }) =>
      isTrue(lookup(properties.SSESpecification, 'SSEEnabled'))
        ? []
        : [violation('table-encryption', id, `Table ${id} does not set SSESpecification.SSEEnabled true.`)],
    ),

  'stream-encryption': ({ resources }) =>
    resources.flatMap(({ id, type, properties }) => {
      const missing = missingEncryption(type, properties);
      return missing === undefined
        ? []
        : [violation('stream-encryption', id, `${missing.kind} ${id} has no ${missing.setting}.`)];
    }),

  'log-retention': ({ resources }) =>
    ofType(resources, 'AWS::Logs::LogGroup').flatMap(({ id, properties }) =>
      isPresent(properties.RetentionInDays)
        ? []
        : [
            violation(
              'log-retention',
              id,
              `Log group ${id} has no RetentionInDays, so it keeps logs forever.`,
            ),
          ],
    ),

  'event-source-failure-destination': ({ resources, byId }) =>
    ofType(resources, 'AWS::Lambda::EventSourceMapping').flatMap(({ id, properties }) => {
      if (!readsStream(properties, byId)) return [];
      const destination = lookup(properties.DestinationConfig, 'OnFailure', 'Destination');
      return isPresent(destination)
        ? []
        : [
            violation(
              'event-source-failure-destination',
              id,
              `Stream event source mapping ${id} has no DestinationConfig.OnFailure.Destination.`,
            ),
          ];
    }),

  'failure-alarm': (context) => {
    const watched = ofType(context.resources, 'AWS::CloudWatch::Alarm')
      .filter((alarm) =>
        toArray(alarm.properties.AlarmActions).some((action) => isAlertTopic(action, context)),
      )
      .flatMap(metricsWatchedAtFirstFailure);
    const watches = (namespace: string, metricName: string, dimension: string, resource: Resource) =>
      watched.some((metric) => isMetric(metric, namespace, metricName, dimension, resource));
    const topic =
      context.options.alertTopicExport === undefined
        ? 'an SNS topic'
        : `the alert topic (export ${context.options.alertTopicExport})`;

    const functions = ofType(context.resources, 'AWS::Lambda::Function').flatMap((fn) => {
      if (watches('AWS/Lambda', 'Errors', 'FunctionName', fn)) return [];
      // Lambda counts an authorizer's refusals (the "Unauthorized" that API Gateway answers with a 401)
      // as Errors, so an alarm on them would go off with every expired token; an authorizer that fails
      // is a 500 of the API it guards. https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html
      const apis = authorizedApis(fn.id, context);
      const apiWatched = (api: Resource) => watched.some((metric) => isApiMetric(metric, '5XXError', api));
      if (apis.length > 0 && apis.every(apiWatched)) return [];
      const orApi =
        apis.length === 0
          ? ''
          : ` or on the 5XXError of the API it authorizes (${apis.map((api) => api.id).join(', ')})`;
      return [
        violation(
          'failure-alarm',
          fn.id,
          `Function ${fn.id} has no alarm on its Errors (AWS/Lambda, FunctionName)${orApi} above 0 ` +
            `that notifies ${topic}.`,
        ),
      ];
    });

    const stateMachines = ofType(context.resources, 'AWS::StepFunctions::StateMachine').flatMap((machine) =>
      watches('AWS/States', 'ExecutionsFailed', 'StateMachineArn', machine)
        ? []
        : [
            violation(
              'failure-alarm',
              machine.id,
              `State machine ${machine.id} has no alarm on ExecutionsFailed (AWS/States, StateMachineArn) ` +
                `above 0 that notifies ${topic}.`,
            ),
          ],
    );

    const queues = [...failureQueues(context)].flatMap(([queue, parkedBy]) =>
      watches('AWS/SQS', 'ApproximateNumberOfMessagesVisible', 'QueueName', queue)
        ? []
        : [
            violation(
              'failure-alarm',
              queue.id,
              `Failure queue ${queue.id} (of ${parkedBy.join(', ')}) has no alarm on ` +
                `ApproximateNumberOfMessagesVisible (AWS/SQS, QueueName) above 0 that notifies ${topic}: ` +
                'the events parked there would wait unseen.',
            ),
          ],
    );

    return [...functions, ...stateMachines, ...queues];
  },
};

interface WatchedMetric {
  namespace: unknown;
  metricName: unknown;
  dimensions: unknown[];
}

/**
 * The metrics an alarm reads, if it goes off at the first failure: `> 0` or `>= 1` on one metric; any
 * expression over several (metric math), whose meaning this check cannot read.
 */
function metricsWatchedAtFirstFailure({ properties }: Resource): WatchedMetric[] {
  if (properties.MetricName !== undefined) {
    const threshold = properties.Threshold;
    const operator = properties.ComparisonOperator;
    const atFirst =
      isIntrinsic(threshold) ||
      (operator === 'GreaterThanThreshold' && Number(threshold) === 0) ||
      (operator === 'GreaterThanOrEqualToThreshold' && Number(threshold) === 1);
    if (!atFirst) return [];
    return [
      {
        namespace: properties.Namespace,
        metricName: properties.MetricName,
        dimensions: toArray(properties.Dimensions),
      },
    ];
  }
  return toArray(properties.Metrics).flatMap((query) => {
    const metric = lookup(query, 'MetricStat', 'Metric');
    if (!isRecord(metric)) return [];
    return [
      { namespace: metric.Namespace, metricName: metric.MetricName, dimensions: toArray(metric.Dimensions) },
    ];
  });
}

/**
 * How a metric's dimension names a resource of the template: its Ref, or one of its attributes, or the
 * physical name the template declares for it.
 */
const DIMENSION_VALUES: Readonly<Record<string, { attribute?: string; nameProperty?: string }>> = {
  FunctionName: { nameProperty: 'FunctionName' },
  StateMachineArn: {},
  QueueName: { attribute: 'QueueName', nameProperty: 'QueueName' },
};

function isMetric(
  metric: WatchedMetric,
  namespace: string,
  metricName: string,
  dimension: string,
  resource: Resource,
): boolean {
  if (metric.namespace !== namespace || metric.metricName !== metricName) return false;
  const { attribute, nameProperty } = DIMENSION_VALUES[dimension] ?? {};
  return metric.dimensions.some((entry) => {
    if (lookup(entry, 'Name') !== dimension) return false;
    const value = lookup(entry, 'Value');
    const named = nameProperty === undefined ? undefined : resource.properties[nameProperty];
    if (typeof named === 'string' && value === named) return true;
    if (attribute === undefined) return refTarget(value) === resource.id;
    const target = getAttTarget(value);
    return target?.id === resource.id && target.attribute === attribute;
  });
}

function isApiMetric(metric: WatchedMetric, metricName: string, api: Resource): boolean {
  if (metric.namespace !== 'AWS/ApiGateway' || metric.metricName !== metricName) return false;
  const name = api.properties.Name;
  return metric.dimensions.some(
    (entry) =>
      lookup(entry, 'Name') === 'ApiName' &&
      name !== undefined &&
      JSON.stringify(lookup(entry, 'Value')) === JSON.stringify(name),
  );
}

/** The REST APIs whose Lambda authorizer is function `functionId`. */
function authorizedApis(functionId: string, { resources, byId }: Context): Resource[] {
  const apis = ofType(resources, 'AWS::ApiGateway::Authorizer')
    .filter(({ properties }) => mentionsFunction(properties.AuthorizerUri, functionId))
    .map(({ properties }) => byId.get(refTarget(properties.RestApiId) ?? ''))
    .filter((api): api is Resource => api?.type === 'AWS::ApiGateway::RestApi');
  return [...new Set(apis)];
}

function mentionsFunction(value: unknown, functionId: string): boolean {
  if (getAttTarget(value)?.id === functionId || refTarget(value) === functionId) return true;
  if (Array.isArray(value)) return value.some((item) => mentionsFunction(item, functionId));
  return isRecord(value) && Object.values(value).some((item) => mentionsFunction(item, functionId));
}

/**
 * The SQS queues of this template where failed events are parked, each with what parks them there:
 * on-failure destinations of asynchronous invocations and event source mappings, dead-letter queues
 * of functions, queues, SNS subscriptions, EventBridge targets and schedules.
 */
function failureQueues({ resources, byId }: Context): Map<Resource, string[]> {
  const found = new Map<Resource, string[]>();
  const add = (destination: unknown, parkedBy: string) => {
    const target = getAttTarget(destination);
    const queue = target?.attribute === 'Arn' ? byId.get(target.id) : undefined;
    if (queue?.type !== 'AWS::SQS::Queue') return;
    found.set(queue, [...new Set([...(found.get(queue) ?? []), parkedBy])]);
  };
  for (const { id, type, properties } of resources) {
    switch (type) {
      case 'AWS::Lambda::EventInvokeConfig':
      case 'AWS::Lambda::EventSourceMapping':
        add(lookup(properties.DestinationConfig, 'OnFailure', 'Destination'), id);
        break;
      case 'AWS::Lambda::Function':
        add(lookup(properties.DeadLetterConfig, 'TargetArn'), id);
        break;
      case 'AWS::SQS::Queue':
      case 'AWS::SNS::Subscription':
        add(lookup(parseJson(properties.RedrivePolicy), 'deadLetterTargetArn'), id);
        break;
      case 'AWS::Events::Rule':
        for (const target of toArray(properties.Targets)) add(lookup(target, 'DeadLetterConfig', 'Arn'), id);
        break;
      case 'AWS::Scheduler::Schedule':
        add(lookup(properties.Target, 'DeadLetterConfig', 'Arn'), id);
        break;
    }
  }
  return found;
}

/**
 * Whether an alarm action is the alert topic: the import of its export, or, in the stack that owns it,
 * a Ref to the topic it exports. Without an export name, any SNS topic.
 */
function isAlertTopic(action: unknown, { byId, options, exports }: Context): boolean {
  const exportName = options.alertTopicExport;
  const topic = refTarget(action);
  const imported = isRecord(action) ? action['Fn::ImportValue'] : undefined;
  if (exportName !== undefined) {
    if (imported === exportName) return true;
    return topic !== undefined && refTarget(exports.get(exportName)) === topic;
  }
  if (topic !== undefined) return byId.get(topic)?.type === 'AWS::SNS::Topic';
  if (imported !== undefined) return true;
  const sub = isRecord(action) ? action['Fn::Sub'] : undefined;
  const text = typeof action === 'string' ? action : Array.isArray(sub) ? sub[0] : sub;
  return typeof text === 'string' && /^arn:[^:]+:sns:/.test(text);
}

function readExports(template: CloudFormationTemplate): Map<string, unknown> {
  const outputs = isRecord(template.Outputs) ? template.Outputs : {};
  const exports = new Map<string, unknown>();
  for (const output of Object.values(outputs)) {
    const name = lookup(output, 'Export', 'Name');
    if (typeof name === 'string') exports.set(name, lookup(output, 'Value'));
  }
  return exports;
}

/** CloudFormation takes a JSON property (a redrive policy) as an object or as its text. */
function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function missingEncryption(
  type: string,
  properties: Record<string, unknown>,
): { kind: string; setting: string } | undefined {
  switch (type) {
    case 'AWS::Kinesis::Stream':
      return isPresent(properties.StreamEncryption)
        ? undefined
        : { kind: 'Kinesis stream', setting: 'StreamEncryption' };
    case 'AWS::SNS::Topic':
      return isPresent(properties.KmsMasterKeyId)
        ? undefined
        : { kind: 'SNS topic', setting: 'KmsMasterKeyId' };
    case 'AWS::SQS::Queue':
      return isPresent(properties.KmsMasterKeyId) || isTrue(properties.SqsManagedSseEnabled)
        ? undefined
        : { kind: 'SQS queue', setting: 'KmsMasterKeyId or SqsManagedSseEnabled true' };
    case 'AWS::KinesisFirehose::DeliveryStream': {
      const source = properties.DeliveryStreamType;
      if (typeof source === 'string' && FIREHOSE_SOURCES_ENCRYPTED_UPSTREAM.has(source)) return undefined;
      return isPresent(properties.DeliveryStreamEncryptionConfigurationInput)
        ? undefined
        : { kind: 'Firehose delivery stream', setting: 'DeliveryStreamEncryptionConfigurationInput' };
    }
    default:
      return undefined;
  }
}

const STREAM_SOURCE_TYPES = new Set([
  'AWS::Kinesis::Stream',
  'AWS::Kinesis::StreamConsumer',
  'AWS::DynamoDB::Table',
  'AWS::DynamoDB::GlobalTable',
]);

/**
 * Kinesis and DynamoDB streams retry a failing batch until it expires, blocking the shard; SQS queues
 * hand failures to their own dead-letter queue. https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
 */
function readsStream(properties: Record<string, unknown>, byId: ReadonlyMap<string, Resource>): boolean {
  const source = properties.EventSourceArn;
  if (source === undefined) return false;
  const target = getAttTarget(source)?.id ?? refTarget(source);
  const targetType = target === undefined ? undefined : byId.get(target)?.type;
  if (targetType !== undefined) return STREAM_SOURCE_TYPES.has(targetType);
  const sub = isRecord(source) ? source['Fn::Sub'] : undefined;
  const arn = typeof source === 'string' ? source : Array.isArray(sub) ? sub[0] : sub;
  if (typeof arn === 'string') return /:(kinesis|dynamodb):/.test(arn);
  // Source unknown (an import, a parameter): only stream and Kafka mappings take a StartingPosition.
  return properties.StartingPosition !== undefined;
}

interface PolicyStatement {
  resource: string;
  where: string;
  statement: Record<string, unknown>;
  /** The roles the statement is granted to: its own, or those an AWS::IAM::Policy names. */
  roles: string[];
}

/** Allow statements of identity policies: inline role policies, AWS::IAM::Policy and ManagedPolicy. */
function allowStatements(resources: readonly Resource[]): PolicyStatement[] {
  return resources.flatMap(({ id, type, properties }) => {
    const documents: { label: string; document: unknown }[] = [];
    const roles =
      type === 'AWS::IAM::Role' ? [id] : toArray(properties.Roles).flatMap((role) => refTarget(role) ?? []);
    if (type === 'AWS::IAM::Role') {
      toArray(properties.Policies).forEach((policy, index) => {
        const name = lookup(policy, 'PolicyName');
        const label = typeof name === 'string' ? `policy ${name}` : `policy #${index + 1}`;
        documents.push({ label: `Role ${id} ${label}`, document: lookup(policy, 'PolicyDocument') });
      });
    } else if (type === 'AWS::IAM::Policy' || type === 'AWS::IAM::ManagedPolicy') {
      documents.push({ label: `Policy ${id}`, document: properties.PolicyDocument });
    }
    return documents.flatMap(({ label, document }) =>
      statementsOf(document).flatMap((statement, index) => {
        if (statement.Effect === 'Deny') return [];
        const sid = typeof statement.Sid === 'string' ? ` (${statement.Sid})` : '';
        return [{ resource: id, where: `${label} statement #${index + 1}${sid}`, statement, roles }];
      }),
    );
  });
}

/** `service-role/X` of `arn:aws:iam::aws:policy/service-role/X`, also written with Fn::Sub; undefined otherwise. */
function managedPolicyName(arn: unknown): string | undefined {
  const text = typeof arn === 'string' ? arn : isRecord(arn) ? arn['Fn::Sub'] : undefined;
  if (typeof text !== 'string') return undefined;
  const match = /^arn:(?:aws[a-z-]*|\$\{AWS::Partition\}):iam::aws:policy\/(.+)$/.exec(text);
  return match?.[1];
}

function statementsOf(document: unknown): Record<string, unknown>[] {
  return toArray(lookup(document, 'Statement')).filter(
    (statement): statement is Record<string, unknown> => isRecord(statement) && !isIntrinsic(statement),
  );
}

function actionsOf(statement: Record<string, unknown>): unknown[] {
  return toArray(statement.Action);
}

// Action names are case-insensitive in IAM.
function isWildcardAction(action: string): boolean {
  return action === '*' || /^[a-z0-9-]+:\*$/i.test(action);
}

function isWildcardResourceAllowed(action: string, assumedBy: string | undefined): boolean {
  const wanted = action.toLowerCase();
  return Object.entries(WILDCARD_RESOURCE_ALLOWED).some(([allowed, reason]) => {
    if (reason.assumedBy !== undefined && reason.assumedBy !== assumedBy) return false;
    const pattern = allowed.toLowerCase();
    return pattern.endsWith('*') ? wanted.startsWith(pattern.slice(0, -1)) : wanted === pattern;
  });
}

/**
 * The AWS service that alone may assume every one of these roles (`states` for states.amazonaws.com or
 * states.<region>.amazonaws.com, also written with Fn::Sub), or undefined.
 */
function soleService(roles: readonly string[], byId: ReadonlyMap<string, Resource>): string | undefined {
  const services = roles.map((id) => {
    const role = byId.get(id);
    if (role?.type !== 'AWS::IAM::Role') return undefined;
    const principals = statementsOf(role.properties.AssumeRolePolicyDocument)
      .filter((statement) => statement.Effect === 'Allow')
      .map((statement) => statement.Principal);
    const [principal, ...others] = principals;
    if (principal === undefined || others.length > 0 || !isRecord(principal)) return undefined;
    const [key, ...otherKeys] = Object.keys(principal);
    if (key !== 'Service' || otherKeys.length > 0) return undefined;
    const [service, ...otherServices] = toArray(principal.Service);
    if (otherServices.length > 0) return undefined;
    const sub = isRecord(service) ? service['Fn::Sub'] : undefined;
    const text = typeof service === 'string' ? service : typeof sub === 'string' ? sub : undefined;
    return /^([a-z0-9-]+)(\.[a-z0-9-]+|\.\$\{AWS::Region\})?\.amazonaws\.com$/.exec(text ?? '')?.[1];
  });
  const [first] = services;
  return first !== undefined && services.every((service) => service === first) ? first : undefined;
}

function deniesInsecureTransport(statement: Record<string, unknown>): boolean {
  if (statement.Effect !== 'Deny') return false;
  const bool = lookup(statement.Condition, 'Bool');
  if (isIntrinsic(bool)) return true;
  if (!isRecord(bool)) return false;
  // Condition keys are case-insensitive.
  return Object.entries(bool).some(
    ([key, value]) => key.toLowerCase() === 'aws:securetransport' && (value === false || value === 'false'),
  );
}

function isPolicyFor(bucketReference: unknown, bucket: Resource): boolean {
  if (refTarget(bucketReference) === bucket.id) return true;
  const name = bucket.properties.BucketName;
  return typeof bucketReference === 'string' && typeof name === 'string' && bucketReference === name;
}

function readResources(template: CloudFormationTemplate): Resource[] {
  const resources = isRecord(template.Resources) ? template.Resources : {};
  return Object.entries(resources).flatMap(([id, resource]) => {
    if (!isRecord(resource) || typeof resource.Type !== 'string') return [];
    const given = isRecord(resource.Properties) ? resource.Properties : {};
    const properties = Object.fromEntries(Object.entries(given).filter(([, value]) => !isNoValue(value)));
    return [{ id, type: resource.Type, properties }];
  });
}

function ofType(resources: readonly Resource[], type: string): Resource[] {
  return resources.filter((resource) => resource.type === type);
}

function violation(rule: RuleName, resource: string, message: string): Violation {
  return { rule, resource, message };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ Ref: ... }`, `{ 'Fn::...': ... }` or `{ Condition: ... }`: its value is only known at deploy time. */
function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  const keys = Object.keys(value);
  const [key] = keys;
  return (
    keys.length === 1 && key !== undefined && (key === 'Ref' || key === 'Condition' || key.startsWith('Fn::'))
  );
}

/** CloudFormation accepts booleans as strings; an intrinsic is given the benefit of the doubt. */
function isTrue(value: unknown): boolean {
  return value === true || value === 'true' || isIntrinsic(value);
}

function isPresent(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * The value at `keys` below `value`. An intrinsic met on the way is returned as is, since whatever it
 * resolves to is unknown until deploy time; `{ Ref: 'AWS::NoValue' }` removes the property, so it reads
 * as undefined.
 */
function lookup(value: unknown, ...keys: string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (isNoValue(current)) return undefined;
    if (isIntrinsic(current)) return current;
    current = isRecord(current) ? current[key] : undefined;
  }
  return isNoValue(current) ? undefined : current;
}

function isNoValue(value: unknown): boolean {
  return refTarget(value) === 'AWS::NoValue';
}

function toArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function refTarget(value: unknown): string | undefined {
  const target = isRecord(value) ? value.Ref : undefined;
  return typeof target === 'string' ? target : undefined;
}

function getAttTarget(value: unknown): { id: string; attribute: string } | undefined {
  const getAtt = isRecord(value) ? value['Fn::GetAtt'] : undefined;
  if (typeof getAtt === 'string') {
    const dot = getAtt.indexOf('.');
    return dot > 0 ? { id: getAtt.slice(0, dot), attribute: getAtt.slice(dot + 1) } : undefined;
  }
  if (Array.isArray(getAtt)) {
    const [id, attribute] = getAtt;
    if (typeof id === 'string' && typeof attribute === 'string') return { id, attribute };
  }
  return undefined;
}
