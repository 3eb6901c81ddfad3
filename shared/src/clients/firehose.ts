import { FirehoseClient } from '@aws-sdk/client-firehose';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const firehose = tracer.captureAWSv3Client(new FirehoseClient({ ...clientDefaults }));
