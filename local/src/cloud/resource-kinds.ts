import { provisionGlueDatabases } from '../provision/glue';
import { provisionIdentityPoolRoles, provisionIdentityPools } from '../provision/identity-pools';
import {
  type Provisioner,
  provisionBuckets,
  provisionQueues,
  provisionStreams,
  provisionSubscriptions,
  provisionTables,
  provisionTopics,
  provisionUserPoolClients,
  provisionUserPoolGroups,
  provisionUserPools,
} from '../provision/provisioners';
import { activeResources, type Stack, type TemplateResource } from '../templates/stack';

/** What the local cloud does with one CloudFormation resource type; every field says who. */
export interface ResourceKind {
  /** Created on this emulator (its registry name) by `create`, in this table's order. */
  provision?: { emulator: string; create: Provisioner };
  /** What serves or runs it once it exists. */
  servedBy?: string;
  /** The module that turns it into deliveries to functions, with AWS's semantics. */
  wiredBy?: string;
  /** Deliberately not emulated, and why. */
  leftToAws?: string;
}

/**
 * Every resource type of the packaged templates, listed once. The provision phase creates them in
 * this order (a queue's dead-letter queue and a subscription's topic exist before they are named; a
 * user pool before its clients and groups); a type that is not here is named at start-up as not
 * emulated. https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html
 */
export const RESOURCE_KINDS = {
  'AWS::DynamoDB::Table': { provision: { emulator: 'dynamodb', create: provisionTables } },
  'AWS::S3::Bucket': {
    provision: { emulator: 's3', create: provisionBuckets },
    wiredBy: 'triggers/s3-notifications.ts (NotificationConfiguration)',
  },
  'AWS::Kinesis::Stream': { provision: { emulator: 'kinesis', create: provisionStreams } },
  'AWS::SQS::Queue': { provision: { emulator: 'sns-sqs', create: provisionQueues } },
  'AWS::SNS::Topic': { provision: { emulator: 'sns-sqs', create: provisionTopics } },
  'AWS::SNS::Subscription': {
    provision: { emulator: 'sns-sqs', create: provisionSubscriptions },
    wiredBy: 'triggers/sns-subscriptions.ts (Lambda subscriptions)',
  },
  'AWS::Cognito::UserPool': { provision: { emulator: 'cognito', create: provisionUserPools } },
  'AWS::Cognito::UserPoolClient': { provision: { emulator: 'cognito', create: provisionUserPoolClients } },
  'AWS::Cognito::UserPoolGroup': { provision: { emulator: 'cognito', create: provisionUserPoolGroups } },
  'AWS::Cognito::IdentityPool': {
    provision: { emulator: 'cognito-identity', create: provisionIdentityPools },
  },
  'AWS::Cognito::IdentityPoolRoleAttachment': {
    provision: { emulator: 'cognito-identity', create: provisionIdentityPoolRoles },
    wiredBy: 'cloud/iam-authorization.ts (the front door checks SigV4 and the role policies)',
  },
  'AWS::Lambda::Function': { servedBy: 'serverless-offline, one process per service (phases/functions.ts)' },
  'AWS::Lambda::EventInvokeConfig': { servedBy: 'the asynchronous invoker (lambda/async-invoker.ts)' },
  'AWS::Lambda::EventSourceMapping': { wiredBy: 'triggers/event-source-mapping/' },
  'AWS::Events::Rule': { wiredBy: 'triggers/eventbridge/ (event patterns and schedules)' },
  'AWS::StepFunctions::StateMachine': {
    servedBy: 'the step-functions emulator, loaded in phases/functions.ts',
  },
  'AWS::KinesisFirehose::DeliveryStream': {
    servedBy: 'the firehose emulator, its streams loaded in phases/triggers.ts',
    wiredBy: 'emulators/firehose/delivery.ts (transformation Lambda, buffering, S3 prefixes, backup)',
  },
  'AWS::ApiGateway::RestApi': { servedBy: 'serverless-offline, and the front door for base paths' },
  'AWS::ApiGateway::Resource': { servedBy: 'serverless-offline' },
  'AWS::ApiGateway::Method': { servedBy: 'serverless-offline' },
  'AWS::ApiGateway::Deployment': { servedBy: 'serverless-offline' },
  'AWS::Lambda::Version': { leftToAws: 'every local invocation runs the code just packaged ($LATEST)' },
  'AWS::Lambda::Permission': { leftToAws: 'resource policies are not enforced locally' },
  'AWS::S3::BucketPolicy': {
    leftToAws: 'IAM is not enforced locally; the template policy tests check the policies',
  },
  // Lambda execution roles and Step Functions state machine roles.
  'AWS::IAM::Role': { leftToAws: 'IAM is not enforced locally; the template policy tests check the roles' },
  'AWS::Logs::LogGroup': { leftToAws: 'functions log to .local/logs (npm run logs)' },
  'AWS::Logs::LogStream': { leftToAws: 'functions log to .local/logs (npm run logs)' },
  'AWS::XRay::SamplingRule': {
    leftToAws: 'no X-Ray locally (POWERTOOLS_TRACE_ENABLED=false): nothing is sampled',
  },
  // The data lake (catalog service).
  'AWS::Glue::Database': { provision: { emulator: 'moto', create: provisionGlueDatabases } },
  'AWS::Athena::WorkGroup': {
    leftToAws: "Athena is not emulated; locally the lake's SQL runs on DuckDB, as the query API does in AWS",
  },
  'AWS::KMS::Alias': {
    leftToAws: 'the emulators do not encrypt with KMS: objects and messages are stored as sent',
  },
  'AWS::CloudTrail::Trail': { leftToAws: 'no audit trail locally: S3 data events are recorded only in AWS' },
  'AWS::Config::ConfigRule': {
    leftToAws: 'AWS Config does not run locally: public-bucket rules are evaluated only in AWS',
  },
  'AWS::SNS::TopicPolicy': { leftToAws: 'resource policies are not enforced locally' },
  'AWS::ApiGateway::Stage': { servedBy: 'serverless-offline (throttling and access logs are AWS-only)' },
  'AWS::ApiGateway::Account': { leftToAws: "API Gateway's logging role is an account setting" },
  'AWS::CloudWatch::Alarm': {
    leftToAws: 'no CloudWatch locally: the metrics are in .local/metrics, the failure queues in SQS',
  },
  'AWS::KMS::Key': { leftToAws: 'the emulators encrypt nothing; the template policy tests check encryption' },
  'AWS::CloudFront::ResponseHeadersPolicy': {
    servedBy: 'the front door, with the CSP origins made local (cloud/portal-headers.ts)',
  },
} as const satisfies Record<string, ResourceKind>;

/** A resource type the local cloud handles. */
export type KnownResourceType = keyof typeof RESOURCE_KINDS;

/** The stack's active resources of one known type, in template order. */
export function resourcesOfKind(stack: Stack, type: KnownResourceType): [string, TemplateResource][] {
  return activeResources(stack).filter(([, resource]) => resource.Type === type);
}

/** `<service>: <LogicalId> (<Type>) is not emulated`, for each resource of a type not in the table. */
export function unemulatedResources(stacks: Iterable<Stack>): string[] {
  const warnings: string[] = [];
  for (const stack of stacks) {
    for (const [logicalId, resource] of activeResources(stack)) {
      if (!Object.hasOwn(RESOURCE_KINDS, resource.Type))
        warnings.push(`${stack.service}: ${logicalId} (${resource.Type}) is not emulated`);
    }
  }
  return warnings;
}
