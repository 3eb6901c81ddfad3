import type { S3Event } from 'aws-lambda';
import type { LakeObjectEvent } from './catalog-registrar';

/**
 * Object keys arrive URL-encoded, with `+` for spaces:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function decodeS3Key(encodedKey: string): string {
  return decodeURIComponent(encodedKey.replace(/\+/g, ' '));
}

export function lakeObjectEventsFrom(event: S3Event): LakeObjectEvent[] {
  return event.Records.map((record) => ({
    kind: record.eventName.startsWith('ObjectRemoved') ? 'removed' : 'created',
    sequencer: record.s3.object.sequencer,
    object: {
      bucket: record.s3.bucket.name,
      key: decodeS3Key(record.s3.object.key),
      sizeBytes: record.s3.object.size ?? 0,
      etag: record.s3.object.eTag ?? '',
      ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
    },
  }));
}
