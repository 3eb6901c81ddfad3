import type { S3Event } from 'aws-lambda';
import { ValidationError } from './errors';

/**
 * Keys in S3 event notifications are URL-encoded the way HTML forms are: spaces become `+`, `/`
 * stays, everything else unsafe is percent-encoded (so `year=2026` arrives as `year%3D2026`).
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function encodeS3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/** The object key an S3 notification names; a key that is not valid URL encoding is a ValidationError. */
export function decodeS3EventKey(encodedKey: string): string {
  try {
    return decodeURIComponent(encodedKey.replace(/\+/g, ' '));
  } catch (error) {
    throw new ValidationError(`Object key ${JSON.stringify(encodedKey)} is not a valid URL-encoded key`, {
      cause: error,
    });
  }
}

/** One object change, as a handler's core sees it: decoded key, no S3 event shape. */
export interface S3ObjectChange {
  kind: 'created' | 'removed';
  /** S3's own name without the `s3:` prefix, e.g. `ObjectCreated:Put`. */
  eventName: string;
  bucket: string;
  key: string;
  sizeBytes: number;
  eTag: string;
  /** Present when the bucket is versioned; it tells two uploads to the same key apart. */
  versionId?: string;
  /** Orders the events of one key: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html */
  sequencer: string;
}

/** Maps an S3 notification to the changes it carries, at the handler's edge. */
export function s3ObjectChanges(event: S3Event): S3ObjectChange[] {
  return event.Records.map(({ eventName, s3: { bucket, object } }) => ({
    kind: eventName.startsWith('ObjectRemoved') ? 'removed' : 'created',
    eventName,
    bucket: bucket.name,
    key: decodeS3EventKey(object.key),
    sizeBytes: object.size ?? 0,
    eTag: object.eTag ?? '',
    ...(object.versionId ? { versionId: object.versionId } : {}),
    sequencer: object.sequencer,
  }));
}
