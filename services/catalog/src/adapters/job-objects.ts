import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3 } from '@serverless-patterns/shared/clients/s3';
import type { JobObjects } from '../core/jobs/job-steps';

/** The lake bucket as batch jobs read and write it. */
export function createJobObjects({
  client = s3,
  bucket,
}: {
  client?: S3Client;
  bucket: () => string;
}): JobObjects {
  const get = async (key: string, range?: string) => {
    const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket(), Key: key, Range: range }));
    return (await Body?.transformToByteArray()) ?? new Uint8Array();
  };
  return {
    async list(prefix) {
      const found: { key: string; sizeBytes: number; etag: string }[] = [];
      for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket(), Prefix: prefix }))
        for (const { Key, Size, ETag } of page.Contents ?? [])
          if (Key !== undefined && !Key.endsWith('/'))
            found.push({ key: Key, sizeBytes: Size ?? 0, etag: ETag ?? '' });
      return found;
    },
    read: (key) => get(key),
    // An explicit first-last range: a suffix range is not understood by every S3 (s3rver).
    readRange: async (key, first, end) =>
      end <= first ? new Uint8Array() : get(key, `bytes=${first}-${end - 1}`),
    async write(key, body) {
      await client.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body }));
    },
    async remove(keys) {
      // DeleteObjects takes up to 1,000 keys a request. https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html
      for (let first = 0; first < keys.length; first += 1000) {
        const { Errors = [] } = await client.send(
          new DeleteObjectsCommand({
            Bucket: bucket(),
            Delete: { Objects: keys.slice(first, first + 1000).map((Key) => ({ Key })), Quiet: true },
          }),
        );
        if (Errors.length > 0)
          throw new Error(`could not delete ${Errors.map(({ Key, Code }) => `${Key} (${Code})`).join(', ')}`);
      }
    },
    async exists(key) {
      try {
        await client.send(new HeadObjectCommand({ Bucket: bucket(), Key: key }));
        return true;
      } catch (error) {
        if (error instanceof Error && (error.name === 'NotFound' || error.name === 'NoSuchKey')) return false;
        throw error;
      }
    },
  };
}
