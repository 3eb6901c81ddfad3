import { EC2Client } from '@aws-sdk/client-ec2';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const ec2 = tracer.captureAWSv3Client(new EC2Client({ ...clientDefaults }));
