import { STSClient } from '@aws-sdk/client-sts';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const sts = tracer.captureAWSv3Client(new STSClient({ ...clientDefaults }));
