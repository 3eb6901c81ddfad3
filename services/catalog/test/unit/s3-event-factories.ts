import type { S3Event, S3EventRecord } from 'aws-lambda';

export interface S3NotificationOverrides {
  bucket?: string;
  /** As S3 sends it: URL-encoded, '+' for a space. */
  key?: string;
  sequencer?: string;
  versionId?: string;
  eventName?: string;
}

type S3NotifiedObject = S3EventRecord['s3']['object'];

// Both records come from AWS's sample notifications (s3-put.json and s3-delete.json, as
// `sam local generate-event` renders them); only the fields a test names change.
function createS3Record(object: S3NotifiedObject, bucket: string, eventName: string): S3EventRecord {
  return {
    eventVersion: '2.0',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '1970-01-01T00:00:00.000Z',
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

/** s3-put.json: an ObjectCreated:Put notification. */
export function createS3PutRecord(overrides: S3NotificationOverrides = {}): S3EventRecord {
  const {
    bucket = 'example-bucket',
    key = 'test/key',
    sequencer = '0A1B2C3D4E5F678901',
    versionId,
    eventName = 'ObjectCreated:Put',
  } = overrides;
  const object: S3NotifiedObject = {
    key,
    size: 1024,
    eTag: '0123456789abcdef0123456789abcdef',
    ...(versionId === undefined ? {} : { versionId }),
    sequencer,
  };
  return createS3Record(object, bucket, eventName);
}

/** s3-delete.json: an ObjectRemoved:Delete notification, which carries neither size nor eTag. */
export function createS3DeleteRecord(overrides: S3NotificationOverrides = {}): S3EventRecord {
  const {
    bucket = 'example-bucket',
    key = 'test/key',
    sequencer = '0A1B2C3D4E5F678901',
    versionId,
    eventName = 'ObjectRemoved:Delete',
  } = overrides;
  // @types/aws-lambda declares size and eTag as always present; S3 leaves them out of removals.
  const object = { key, ...(versionId === undefined ? {} : { versionId }), sequencer } as S3NotifiedObject;
  return createS3Record(object, bucket, eventName);
}

export function createS3Event(...records: S3EventRecord[]): S3Event {
  return { Records: records };
}
