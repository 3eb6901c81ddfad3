import { CognitoIdentityClient } from '@aws-sdk/client-cognito-identity';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { GlueClient } from '@aws-sdk/client-glue';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { LOCAL_REGION, type LocalService, localCredentials } from './endpoints';

/**
 * The local cloud's own clients, for provisioning and wiring: explicit endpoints (the emulators
 * phase's), since it is the one place that knows them.
 */
export function createLocalClients(endpoints: Readonly<Record<LocalService, string>>) {
  const common = { region: LOCAL_REGION, credentials: localCredentials(), maxAttempts: 3 };
  return {
    dynamodb: new DynamoDBClient({ ...common, endpoint: endpoints.dynamodb }),
    dynamodbStreams: new DynamoDBStreamsClient({ ...common, endpoint: endpoints.dynamodbStreams }),
    s3: new S3Client({
      ...common,
      endpoint: endpoints.s3,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    kinesis: new KinesisClient({
      ...common,
      endpoint: endpoints.kinesis,
      requestHandler: new NodeHttpHandler(),
    }),
    sqs: new SQSClient({ ...common, endpoint: endpoints.sqs }),
    sns: new SNSClient({ ...common, endpoint: endpoints.sns }),
    cognito: new CognitoIdentityProviderClient({ ...common, endpoint: endpoints.cognito }),
    cognitoIdentity: new CognitoIdentityClient({ ...common, endpoint: endpoints.cognitoIdentity }),
    glue: new GlueClient({ ...common, endpoint: endpoints.glue }),
  };
}

export type LocalClients = ReturnType<typeof createLocalClients>;
