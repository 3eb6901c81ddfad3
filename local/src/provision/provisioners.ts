import {
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ResourceInUseException as StreamInUse,
} from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, PutBucketCorsCommand, PutBucketVersioningCommand } from '@aws-sdk/client-s3';
import { CreateTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, SetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { LocalClients } from '../cloud/clients';
import { resolveProperties, type Stack } from '../templates/stack';

/** Ids the emulators generate (user pools, clients), kept so a restart finds its data again. */
export type GeneratedIds = Record<string, string>;

/** What a provisioner works with: one stack, its physical names, and clients of the emulators. */
export interface ProvisionContext {
  stack: Stack;
  names: ReadonlyMap<string, string>;
  clients: LocalClients;
  generatedIds: GeneratedIds;
  /** The issuer prefix of the local user pools' tokens: cognito-local's endpoint. */
  cognitoIssuerBase: string;
  /** What is provisioned differently from AWS, without the service's name. */
  warnings: string[];
}

/**
 * Creates the resources of one type (their logical ids, in template order) on an emulator.
 * Creation is idempotent: an existing resource (persisted from an earlier run) is kept.
 */
export type Provisioner = (logicalIds: readonly string[], context: ProvisionContext) => Promise<void>;

/** Kinesis on-demand streams scale their shards; locally they get this many. */
const ON_DEMAND_LOCAL_SHARDS = 2;

const nameOf = ({ names }: ProvisionContext, logicalId: string) => names.get(logicalId) as string;

export const provisionTables: Provisioner = async (logicalIds, context) => {
  const { stack, clients } = context;
  for (const logicalId of logicalIds) {
    const streamArn = await createTable(
      clients,
      nameOf(context, logicalId),
      resolveProperties(stack, logicalId),
    );
    if (streamArn) stack.context.attributes.set(`${logicalId}.StreamArn`, streamArn);
  }
};

export const provisionBuckets: Provisioner = async (logicalIds, context) => {
  for (const logicalId of logicalIds) {
    await createBucket(
      context.clients,
      nameOf(context, logicalId),
      resolveProperties(context.stack, logicalId),
    );
  }
};

export const provisionStreams: Provisioner = async (logicalIds, context) => {
  for (const logicalId of logicalIds) {
    const properties = resolveProperties(context.stack, logicalId);
    const mode = (properties.StreamModeDetails as { StreamMode?: string } | undefined)?.StreamMode;
    const shards = mode === 'ON_DEMAND' ? ON_DEMAND_LOCAL_SHARDS : Number(properties.ShardCount ?? 1);
    if (mode === 'ON_DEMAND')
      context.warnings.push(`${logicalId}: on-demand stream emulated with ${shards} shards`);
    await createStream(context.clients, nameOf(context, logicalId), shards);
  }
};

/** Queues first without their redrive policy, then with it: a DLQ may be declared after its queue. */
export const provisionQueues: Provisioner = async (logicalIds, context) => {
  const { stack, clients } = context;
  for (const logicalId of logicalIds) {
    const { QueueUrl } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: nameOf(context, logicalId) }),
    );
    stack.context.refs.set(logicalId, QueueUrl as string);
    stack.context.attributes.set(`${logicalId}.QueueUrl`, QueueUrl as string);
  }
  for (const logicalId of logicalIds) {
    const attributes = queueAttributes(resolveProperties(stack, logicalId));
    if (Object.keys(attributes).length > 0) {
      await clients.sqs.send(
        new SetQueueAttributesCommand({
          QueueUrl: stack.context.refs.get(logicalId),
          Attributes: attributes,
        }),
      );
    }
  }
};

export const provisionTopics: Provisioner = async (logicalIds, context) => {
  for (const logicalId of logicalIds) {
    await context.clients.sns.send(new CreateTopicCommand({ Name: nameOf(context, logicalId) }));
  }
};

/** Subscriptions of queues; Lambda subscriptions are delivered by the local cloud itself (triggers). */
export const provisionSubscriptions: Provisioner = async (logicalIds, context) => {
  for (const logicalId of logicalIds) {
    const properties = resolveProperties(context.stack, logicalId);
    if (properties.Protocol !== 'sqs') continue;
    await context.clients.sns.send(
      new SubscribeCommand({
        TopicArn: String(properties.TopicArn),
        Protocol: 'sqs',
        Endpoint: String(properties.Endpoint),
        Attributes: subscriptionAttributes(properties),
      }),
    );
  }
};

export const provisionUserPools: Provisioner = async (logicalIds, context) => {
  const { stack, cognitoIssuerBase } = context;
  for (const logicalId of logicalIds) {
    const id = await ensureUserPool(
      context,
      `${stack.stackName}/${logicalId}`,
      nameOf(context, logicalId),
      resolveProperties(stack, logicalId),
    );
    stack.context.refs.set(logicalId, id);
    const arn = `arn:aws:cognito-idp:${stack.context.region}:${stack.context.accountId}:userpool/${id}`;
    stack.context.attributes.set(`${logicalId}.Arn`, arn);
    stack.context.attributes.set(`${logicalId}.UserPoolId`, id);
    // ProviderURL is the tokens' issuer: https://cognito-idp.<region>.amazonaws.com/<id> in AWS.
    stack.context.attributes.set(`${logicalId}.ProviderURL`, `${cognitoIssuerBase}/${id}`);
    stack.context.attributes.set(`${logicalId}.ProviderName`, `${new URL(cognitoIssuerBase).host}/${id}`);
  }
};

export const provisionUserPoolClients: Provisioner = async (logicalIds, context) => {
  const { stack } = context;
  for (const logicalId of logicalIds) {
    const properties = resolveProperties(stack, logicalId);
    const id = await ensureUserPoolClient(context, `${stack.stackName}/${logicalId}`, properties);
    stack.context.refs.set(logicalId, id);
    stack.context.attributes.set(`${logicalId}.ClientId`, id);
  }
};

export const provisionUserPoolGroups: Provisioner = async (logicalIds, context) => {
  for (const logicalId of logicalIds) {
    const properties = resolveProperties(context.stack, logicalId);
    await context.clients.cognito
      .send(
        new CreateGroupCommand({
          UserPoolId: String(properties.UserPoolId),
          GroupName: String(properties.GroupName),
          Description: properties.Description as string | undefined,
        }),
      )
      .catch((error: Error) => {
        if (error.name !== 'GroupExistsException') throw error;
      });
  }
};

async function createTable(clients: LocalClients, name: string, properties: Record<string, unknown>) {
  const input = {
    TableName: name,
    AttributeDefinitions: properties.AttributeDefinitions,
    KeySchema: properties.KeySchema,
    GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
    LocalSecondaryIndexes: properties.LocalSecondaryIndexes,
    StreamSpecification: properties.StreamSpecification
      ? { StreamEnabled: true, ...(properties.StreamSpecification as object) }
      : undefined,
    BillingMode: 'PAY_PER_REQUEST',
  } as CreateTableCommandInput;
  try {
    const { TableDescription } = await clients.dynamodb.send(new CreateTableCommand(input));
    return TableDescription?.LatestStreamArn;
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    const { Table } = await clients.dynamodb.send(new DescribeTableCommand({ TableName: name }));
    return Table?.LatestStreamArn;
  }
}

async function createBucket(clients: LocalClients, name: string, properties: Record<string, unknown>) {
  await clients.s3.send(new CreateBucketCommand({ Bucket: name })).catch((error: Error) => {
    if (error.name !== 'BucketAlreadyOwnedByYou' && error.name !== 'BucketAlreadyExists') throw error;
  });
  const versioning = (properties.VersioningConfiguration as { Status?: string } | undefined)?.Status;
  if (versioning === 'Enabled') {
    await clients.s3
      .send(new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: 'Enabled' } }))
      .catch(() => undefined); // s3rver does not version objects: listed among the differences.
  }
  const cors = properties.CorsConfiguration as { CorsRules?: unknown[] } | undefined;
  if (cors?.CorsRules) {
    await clients.s3.send(
      new PutBucketCorsCommand({ Bucket: name, CORSConfiguration: { CORSRules: cors.CorsRules as never } }),
    );
  }
}

async function createStream(clients: LocalClients, name: string, shards: number) {
  try {
    await clients.kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  } catch (error) {
    if (!(error instanceof StreamInUse)) throw error;
  }
  // Ready when ACTIVE; kinesalite is configured to create streams at once.
  await clients.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: name }));
}

function queueAttributes(properties: Record<string, unknown>): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const key of [
    'VisibilityTimeout',
    'MessageRetentionPeriod',
    'DelaySeconds',
    'ReceiveMessageWaitTimeSeconds',
    'MaximumMessageSize',
  ]) {
    if (properties[key] !== undefined) attributes[key] = String(properties[key]);
  }
  if (properties.RedrivePolicy !== undefined)
    attributes.RedrivePolicy = JSON.stringify(properties.RedrivePolicy);
  return attributes;
}

function subscriptionAttributes(properties: Record<string, unknown>): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (properties.FilterPolicy !== undefined)
    attributes.FilterPolicy = JSON.stringify(properties.FilterPolicy);
  if (properties.FilterPolicyScope !== undefined)
    attributes.FilterPolicyScope = String(properties.FilterPolicyScope);
  if (properties.RawMessageDelivery !== undefined)
    attributes.RawMessageDelivery = String(properties.RawMessageDelivery);
  return attributes;
}

async function ensureUserPool(
  { clients, generatedIds }: ProvisionContext,
  key: string,
  name: string,
  properties: Record<string, unknown>,
): Promise<string> {
  const known = generatedIds[key];
  if (known !== undefined) {
    const found = await clients.cognito
      .send(new DescribeUserPoolCommand({ UserPoolId: known }))
      .catch(() => undefined);
    if (found?.UserPool) return known;
  }
  const { UserPool } = await clients.cognito.send(
    new CreateUserPoolCommand({
      PoolName: String(properties.UserPoolName ?? name),
      UsernameAttributes: properties.UsernameAttributes as never,
      AutoVerifiedAttributes: properties.AutoVerifiedAttributes as never,
      Policies: properties.Policies as never,
    }),
  );
  const id = UserPool?.Id as string;
  generatedIds[key] = id;
  return id;
}

async function ensureUserPoolClient(
  { clients, generatedIds }: ProvisionContext,
  key: string,
  properties: Record<string, unknown>,
): Promise<string> {
  const userPoolId = String(properties.UserPoolId);
  const known = generatedIds[key];
  if (known !== undefined) {
    const found = await clients.cognito
      .send(new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: known }))
      .catch(() => undefined);
    if (found?.UserPoolClient) return known;
  }
  const { UserPoolClient } = await clients.cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: String(properties.ClientName ?? 'client'),
      ExplicitAuthFlows: properties.ExplicitAuthFlows as never,
      GenerateSecret: false,
    }),
  );
  const id = UserPoolClient?.ClientId as string;
  generatedIds[key] = id;
  return id;
}
