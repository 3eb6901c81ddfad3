import { RekognitionClient } from '@aws-sdk/client-rekognition';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const rekognition = tracer.captureAWSv3Client(new RekognitionClient({ ...clientDefaults }));

// The commands services send, from the same package as the client (services need not depend on it).
export { DetectLabelsCommand, type Label, RekognitionClient } from '@aws-sdk/client-rekognition';
