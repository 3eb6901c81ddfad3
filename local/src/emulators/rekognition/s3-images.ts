import { GetObjectCommand, type GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import type { S3Credentials } from '../s3/s3rver';
import { MAX_S3_IMAGE_BYTES } from './detect-labels';
import { imageTooLarge, invalidS3Object } from './errors';

export interface S3ImageLocation {
  bucket: string;
  key: string;
  version?: string;
}

export type ReadS3Image = (location: S3ImageLocation) => Promise<Buffer>;

export interface S3ImageReaderOptions {
  endpoint: string;
  credentials: S3Credentials;
  region: string;
}

/** Reads S3Object images through the S3 API, as Rekognition does, with one client for the process. */
export const createS3ImageReader = ({ endpoint, credentials, region }: S3ImageReaderOptions): ReadS3Image => {
  const s3 = new S3Client({
    endpoint,
    credentials,
    region,
    forcePathStyle: true,
    // s3rver stores no checksums to validate (see s3.ts).
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return async ({ bucket, key, version }) => {
    let object: GetObjectCommandOutput;
    try {
      object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: version }));
    } catch (error) {
      throw invalidS3Object(error);
    }
    const { Body, ContentLength } = object;
    if (Body === undefined) throw invalidS3Object(new Error('GetObject returned no body'));
    if ((ContentLength ?? 0) > MAX_S3_IMAGE_BYTES) {
      await Body.transformToWebStream().cancel();
      throw imageTooLarge();
    }
    return Buffer.from(await Body.transformToByteArray());
  };
};
