import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { CloudDescription } from '../src/cloud/cloud-description';

type Description = Pick<CloudDescription, 'endpoints' | 'region' | 'credentials' | 'services'>;

/** Endpoint, region and credentials for an SDK client of the local cloud. */
export function clientConfig(description: Pick<Description, 'region' | 'credentials'>, endpoint: string) {
  return { endpoint, region: description.region, credentials: description.credentials };
}

function endpointOf(description: Description, service: string): string {
  const endpoint = description.endpoints[service];
  if (endpoint === undefined) throw new Error(`the local cloud serves no ${service}`);
  return endpoint;
}

/**
 * The real SDK clients, pointed at a local cloud through the endpoints it publishes, each created
 * when first used; destroy() closes those that were.
 */
export function awsClients(description: Description) {
  const config = (service: string) => clientConfig(description, endpointOf(description, service));
  const made = new Map<string, { destroy(): void }>();
  const once = <Client extends { destroy(): void }>(name: string, create: () => Client): Client => {
    const client = (made.get(name) as Client | undefined) ?? create();
    made.set(name, client);
    return client;
  };
  return {
    get s3() {
      // What AWS_REQUEST_CHECKSUM_CALCULATION=WHEN_REQUIRED does for the product (s3rver stores
      // aws-chunked framing verbatim).
      return once(
        's3',
        () =>
          new S3Client({
            ...config('s3'),
            forcePathStyle: true,
            requestChecksumCalculation: 'WHEN_REQUIRED',
          }),
      );
    },
    get kinesis() {
      // kinesalite speaks HTTP/1.1 only.
      return once(
        'kinesis',
        () => new KinesisClient({ ...config('kinesis'), requestHandler: new NodeHttpHandler() }),
      );
    },
    get dynamodb() {
      return once('dynamodb', () => new DynamoDBClient(config('dynamodb')));
    },
    get sqs() {
      return once('sqs', () => new SQSClient(config('sqs')));
    },
    get sns() {
      return once('sns', () => new SNSClient(config('sns')));
    },
    get eventBridge() {
      return once('eventbridge', () => new EventBridgeClient(config('eventbridge')));
    },
    get firehose() {
      return once('firehose', () => new FirehoseClient(config('firehose')));
    },
    get sfn() {
      return once('sfn', () => new SFNClient(config('stepfunctions')));
    },
    get cognito() {
      return once('cognito', () => new CognitoIdentityProviderClient(config('cognito')));
    },
    /** The Lambda Invoke API of one service's serverless-offline. */
    lambda(serviceKey: string) {
      return once(
        `lambda ${serviceKey}`,
        () => new LambdaClient(clientConfig(description, serviceOf(description, serviceKey).lambdaEndpoint)),
      );
    },
    destroy() {
      for (const client of made.values()) client.destroy();
      made.clear();
    },
  };
}

export type AwsClients = ReturnType<typeof awsClients>;

/** One service of a local cloud, with lookups that fail naming what is missing. */
export function serviceOf(description: Pick<Description, 'services'>, key: string) {
  const service = description.services[key];
  if (service === undefined) throw new Error(`the local cloud runs no ${key} service`);
  const lookup = (what: string, values: Record<string, string>) => (name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`the ${key} service has no ${what} ${name}`);
    return value;
  };
  return {
    ...service,
    /** Its API Gateway's address; a service without HTTP routes has none. */
    get apiUrl(): string {
      if (service.apiUrl === undefined) throw new Error(`the ${key} service has no HTTP routes`);
      return service.apiUrl;
    },
    /** Its serverless-offline's Lambda Invoke API; a service without functions has none. */
    get lambdaEndpoint(): string {
      if (service.lambdaEndpoint === undefined) throw new Error(`the ${key} service has no functions`);
      return service.lambdaEndpoint;
    },
    /** The physical name (Ref) of a resource: bucket, stream and table names, queue URLs, topic ARNs. */
    resource: lookup('resource', service.resources),
    /** The physical name of a function, by its serverless.yml key. */
    functionName: lookup('function', service.functions),
    output: lookup('output', service.outputs),
  };
}
