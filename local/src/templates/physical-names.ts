import { functionArn } from '../lambda/function-arn';
import { activeResources, type Stack, tryResolve } from './stack';

/**
 * How each resource type is named and what its Ref and Fn::GetAtt return, as documented in each
 * type's "Return values" section of the CloudFormation reference. Names a template does not set are
 * generated as `<stack>-<LogicalId>` (CloudFormation adds a random suffix; locally names stay stable
 * across restarts so that persisted data is found again).
 */
interface NamingRule {
  nameProperty?: string;
  maxLength: number;
  lowerCase?: boolean;
  /** Ref and attributes known from the name alone; some are completed once the emulator answers. */
  values(name: string, region: string, account: string): { ref: string; attributes: Record<string, string> };
}

const RULES: Record<string, NamingRule> = {
  'AWS::DynamoDB::Table': {
    nameProperty: 'TableName',
    maxLength: 255,
    values: (name, region, account) => ({
      ref: name,
      attributes: { Arn: `arn:aws:dynamodb:${region}:${account}:table/${name}` },
    }),
  },
  'AWS::S3::Bucket': {
    nameProperty: 'BucketName',
    maxLength: 63,
    lowerCase: true,
    values: (name, region) => ({
      ref: name,
      attributes: {
        Arn: `arn:aws:s3:::${name}`,
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${region}.amazonaws.com`,
      },
    }),
  },
  'AWS::Kinesis::Stream': {
    nameProperty: 'Name',
    maxLength: 128,
    values: (name, region, account) => ({
      ref: name,
      attributes: { Arn: `arn:aws:kinesis:${region}:${account}:stream/${name}` },
    }),
  },
  'AWS::KinesisFirehose::DeliveryStream': {
    nameProperty: 'DeliveryStreamName',
    maxLength: 64,
    values: (name, region, account) => ({
      ref: name,
      attributes: { Arn: `arn:aws:firehose:${region}:${account}:deliverystream/${name}` },
    }),
  },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    maxLength: 80,
    // Ref is the queue URL, which the emulator gives when the queue is created.
    values: (name, region, account) => ({
      ref: '',
      attributes: { Arn: `arn:aws:sqs:${region}:${account}:${name}`, QueueName: name },
    }),
  },
  'AWS::SNS::Topic': {
    nameProperty: 'TopicName',
    maxLength: 256,
    values: (name, region, account) => {
      const arn = `arn:aws:sns:${region}:${account}:${name}`;
      return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
    },
  },
  'AWS::Lambda::Function': {
    nameProperty: 'FunctionName',
    maxLength: 64,
    values: (name, region, account) => ({
      ref: name,
      attributes: { Arn: functionArn(region, account, name) },
    }),
  },
  'AWS::IAM::Role': {
    nameProperty: 'RoleName',
    maxLength: 64,
    values: (name, _region, account) => ({
      ref: name,
      attributes: { Arn: `arn:aws:iam::${account}:role/${name}`, RoleId: name },
    }),
  },
  'AWS::Logs::LogGroup': {
    nameProperty: 'LogGroupName',
    maxLength: 512,
    values: (name, region, account) => ({
      ref: name,
      attributes: { Arn: `arn:aws:logs:${region}:${account}:log-group:${name}:*` },
    }),
  },
  'AWS::StepFunctions::StateMachine': {
    nameProperty: 'StateMachineName',
    maxLength: 80,
    values: (name, region, account) => {
      const arn = `arn:aws:states:${region}:${account}:stateMachine:${name}`;
      return { ref: arn, attributes: { Arn: arn, Name: name } };
    },
  },
  'AWS::Events::Rule': {
    nameProperty: 'Name',
    maxLength: 64,
    values: (name, region, account) => ({
      ref: name,
      attributes: { Arn: `arn:aws:events:${region}:${account}:rule/${name}` },
    }),
  },
};

/** Resource types whose Ref needs the emulator's answer (a queue URL, a generated pool id). */
const DEFAULT_RULE: NamingRule = {
  maxLength: 255,
  values: (name) => ({ ref: name, attributes: {} }),
};

export function generatedName(
  stack: Stack,
  logicalId: string,
  rule: Pick<NamingRule, 'maxLength' | 'lowerCase'>,
) {
  const name = `${stack.stackName}-${logicalId}`.slice(0, rule.maxLength);
  return rule.lowerCase ? name.toLowerCase() : name;
}

/**
 * Gives every active resource its physical name, Ref and attributes. Names may depend on other
 * names or on exports of other stacks, so this repeats until nothing more can be resolved; what
 * is left unresolved waits for provisioning (queue URLs, stream ARNs, user pool ids).
 */
export function assignPhysicalNames(stack: Stack): Map<string, string> {
  const names = new Map<string, string>();
  let progressed = true;
  while (progressed) {
    progressed = false;
    for (const [logicalId, resource] of activeResources(stack)) {
      if (names.has(logicalId)) continue;
      const rule = RULES[resource.Type] ?? DEFAULT_RULE;
      const declared = rule.nameProperty ? resource.Properties?.[rule.nameProperty] : undefined;
      const name =
        declared === undefined ? generatedName(stack, logicalId, rule) : tryResolve(stack, declared);
      if (typeof name !== 'string') continue;
      names.set(logicalId, name);
      const { ref, attributes } = rule.values(name, stack.context.region, stack.context.accountId);
      if (ref !== '') stack.context.refs.set(logicalId, ref);
      for (const [attribute, value] of Object.entries(attributes)) {
        stack.context.attributes.set(`${logicalId}.${attribute}`, value);
      }
      progressed = true;
    }
  }
  return names;
}
