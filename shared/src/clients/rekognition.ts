import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const rekognition = tracer.captureAWSv3Client(new RekognitionClient({ ...clientDefaults }));
