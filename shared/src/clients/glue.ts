import { GlueClient } from '@aws-sdk/client-glue';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const glue = tracer.captureAWSv3Client(new GlueClient({ ...clientDefaults }));
