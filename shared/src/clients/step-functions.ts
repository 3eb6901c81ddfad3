import { SFNClient } from '@aws-sdk/client-sfn';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const stepFunctions = tracer.captureAWSv3Client(new SFNClient({ ...clientDefaults }));
