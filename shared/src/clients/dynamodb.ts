import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({ ...clientDefaults }));

// Plain JavaScript objects in and out; undefined attributes are dropped instead of rejected.
export const documentClient = DynamoDBDocumentClient.from(dynamodb, {
  marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true },
});
