import {
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost, getSignedUrl, s3 } from '@serverless-patterns/shared/clients/s3';
import type { GalleryObjects } from '../core/gallery';
import type { ObjectRef } from '../core/images';
import type { ObjectStore } from '../core/workflow';

export interface Presigners {
  presignPost: typeof createPresignedPost;
  presignGet: typeof getSignedUrl;
}

/** The images bucket: originals under uploads/, thumbnails under thumbnails/. */
export function createImagesBucket({
  client = s3,
  presigners = { presignPost: createPresignedPost, presignGet: getSignedUrl },
}: {
  client?: S3Client;
  presigners?: Presigners;
} = {}): ObjectStore & GalleryObjects {
  const version = (object: ObjectRef) => (object.versionId ? { VersionId: object.versionId } : {});
  // One DeleteObject per object (an image has at most three): no batch to split, no partial errors to
  // read. Deleting a key that does not exist succeeds.
  const deleteEach = async (refs: readonly ObjectRef[]) => {
    await Promise.all(
      refs.map((ref) =>
        client.send(new DeleteObjectCommand({ Bucket: ref.bucket, Key: ref.key, ...version(ref) })),
      ),
    );
  };

  const get = (object: ObjectRef) =>
    client.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ...version(object) }));
  const bodyOf = (object: ObjectRef, { Body }: GetObjectCommandOutput) => {
    if (Body === undefined) throw new Error(`s3://${object.bucket}/${object.key} has no body`);
    return Body.transformToByteArray();
  };

  return {
    read: async (object) => bodyOf(object, await get(object)),

    async readAtMost(object, maxBytes) {
      const response = await get(object);
      const size = response.ContentLength ?? 0;
      if (size <= maxBytes) return { bytes: await bodyOf(object, response) };
      // An unread body must be consumed or destroyed to free its socket (in Node.js it is an
      // http.IncomingMessage): https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/migrate-s3.html
      (response.Body as { destroy?: () => void } | undefined)?.destroy?.();
      return { oversize: size };
    },

    async write(bucket, key, body, contentType) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: contentType,
          // Thumbnails of an image never change: its id changes with its content.
          CacheControl: 'private, max-age=31536000, immutable',
        }),
      );
    },

    deleteObjects: (refs) => deleteEach(refs),

    async presignPost({ bucket, key, contentType, maxBytes, expiresInSeconds }) {
      // The policy allows exactly this key and content type, and 1 to maxBytes bytes:
      // https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
      const { url, fields } = await presigners.presignPost(client, {
        Bucket: bucket,
        Key: key,
        Conditions: [
          ['content-length-range', 1, maxBytes],
          ['eq', '$Content-Type', contentType],
        ],
        Fields: { 'Content-Type': contentType },
        Expires: expiresInSeconds,
      });
      return { url, fields };
    },

    async presignGet(object, expiresInSeconds) {
      return presigners.presignGet(
        client,
        new GetObjectCommand({ Bucket: object.bucket, Key: object.key, ...version(object) }),
        { expiresIn: expiresInSeconds },
      );
    },
  };
}
