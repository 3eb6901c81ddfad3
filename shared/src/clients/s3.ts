import { S3Client } from '@aws-sdk/client-s3';
import { tracer } from '../observability';
import { clientDefaults } from './client-defaults';

export const s3 = tracer.captureAWSv3Client(new S3Client({ ...clientDefaults }));

export { createPresignedPost } from '@aws-sdk/s3-presigned-post';
// Presigned URLs and POST policies are signed with this same client.
export { getSignedUrl } from '@aws-sdk/s3-request-presigner';
