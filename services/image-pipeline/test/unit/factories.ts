import type { Context, S3Event, S3EventRecord } from 'aws-lambda';

export interface S3ObjectOverrides {
  bucket?: string;
  /** As S3 sends it: URL-encoded, '+' for spaces. */
  key?: string;
  eTag?: string;
  versionId?: string;
}

// Built from AWS's sample ObjectCreated:Put notification (s3-put.json, as `sam local generate-event`
// renders it), with a key under uploads/ so that the default event is one the pipeline accepts.
export function createS3PutRecord(overrides: S3ObjectOverrides = {}): S3EventRecord {
  const { bucket = 'example-bucket', key = 'uploads/owner-1/photo.jpg', eTag, versionId } = overrides;
  return {
    eventVersion: '2.0',
    eventSource: 'aws:s3',
    awsRegion: 'us-east-1',
    eventTime: '1970-01-01T00:00:00.000Z',
    eventName: 'ObjectCreated:Put',
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
      object: {
        key,
        size: 1024,
        eTag: eTag ?? '0123456789abcdef0123456789abcdef',
        ...(versionId === undefined ? {} : { versionId }),
        sequencer: '0A1B2C3D4E5F678901',
      },
    },
  };
}

export function createS3PutEvent(...objects: S3ObjectOverrides[]): S3Event {
  return { Records: (objects.length === 0 ? [{}] : objects).map((object) => createS3PutRecord(object)) };
}

export function createLambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'record-upload',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:record-upload',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: '/aws/lambda/record-upload',
    logStreamName: '2015/04/09/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 3000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
