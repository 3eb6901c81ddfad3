import { LambdaClient } from '@aws-sdk/client-lambda';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const lambda = tracer.captureAWSv3Client(new LambdaClient({ ...clientDefaults }));
