import type { S3Event, S3EventRecord } from 'aws-lambda';
import { encodeS3EventKey } from '../../s3-events';

export interface S3ObjectOptions {
  bucket?: string;
  /** The key as stored; the record carries it URL-encoded, as S3 sends it. */
  key?: string;
  size?: number;
  eTag?: string;
  /** Only versioned buckets send one; the samples have none. */
  versionId?: string;
  /** Orders the events of one key. */
  sequencer?: string;
  /** S3's event name without the `s3:` prefix, e.g. `ObjectCreated:CompleteMultipartUpload`. */
  eventName?: string;
  eventTime?: Date;
}

/** A removal carries neither size nor eTag. */
export type S3RemovedObjectOptions = Omit<S3ObjectOptions, 'size' | 'eTag'>;

type S3EventObject = S3EventRecord['s3']['object'];

// s3-put.json and s3-delete.json; the record's fields:
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
function s3Record(options: S3ObjectOptions, defaultEventName: string, object: S3EventObject): S3EventRecord {
  const { bucket = 'example-bucket', eventName = defaultEventName, eventTime = new Date(0) } = options;
  return {
    eventVersion: '2.0',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: eventTime.toISOString(),
    eventName,
    userIdentity: { principalId: 'EXAMPLE' },
    requestParameters: { sourceIPAddress: '127.0.0.1' },
    responseElements: {
      'x-amz-request-id': 'EXAMPLE123456789',
      'x-amz-id-2': 'EXAMPLE123/5678abcdefghijklambdaisawesome/mnopqrstuvwxyzABCDEFGH',
    },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'testConfigRule',
      bucket: { name: bucket, ownerIdentity: { principalId: 'EXAMPLE' }, arn: `arn:aws:s3:::${bucket}` },
      object,
    },
  };
}

export function s3PutRecord(options: S3ObjectOptions = {}): S3EventRecord {
  const {
    key = 'test/key',
    size = 1024,
    eTag = '0123456789abcdef0123456789abcdef',
    versionId,
    sequencer = '0A1B2C3D4E5F678901',
  } = options;
  const object = { key: encodeS3EventKey(key), size, eTag, ...(versionId && { versionId }), sequencer };
  return s3Record(options, 'ObjectCreated:Put', object);
}

export function s3DeleteRecord(options: S3RemovedObjectOptions = {}): S3EventRecord {
  const { key = 'test/key', versionId, sequencer = '0A1B2C3D4E5F678901' } = options;
  // @types/aws-lambda declares size and eTag on every object; S3 leaves them out of removals.
  const object = { key: encodeS3EventKey(key), ...(versionId && { versionId }), sequencer } as S3EventObject;
  return s3Record(options, 'ObjectRemoved:Delete', object);
}

/** One record per object; none given: the sample's object. */
export function s3PutEvent(...objects: S3ObjectOptions[]): S3Event {
  return s3Event(...(objects.length === 0 ? [{}] : objects).map((object) => s3PutRecord(object)));
}

export function s3DeleteEvent(...objects: S3RemovedObjectOptions[]): S3Event {
  return s3Event(...(objects.length === 0 ? [{}] : objects).map((object) => s3DeleteRecord(object)));
}

/** Records built one by one, e.g. a put and a delete. */
export function s3Event(...records: S3EventRecord[]): S3Event {
  return { Records: records };
}
