import { SQSClient } from '@aws-sdk/client-sqs';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const sqs = tracer.captureAWSv3Client(new SQSClient({ ...clientDefaults }));
