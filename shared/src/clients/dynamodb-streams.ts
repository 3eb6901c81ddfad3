import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const dynamodbStreams = tracer.captureAWSv3Client(new DynamoDBStreamsClient({ ...clientDefaults }));
