import { SNSClient } from '@aws-sdk/client-sns';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const sns = tracer.captureAWSv3Client(new SNSClient({ ...clientDefaults }));
