import type { KinesisStreamEvent, KinesisStreamRecord } from 'aws-lambda';
import { nthNumericId } from './numbering';
import { payloadBase64 } from './payload';

export interface KinesisRecordOptions {
  /** Bytes are sent as they are, a string as UTF-8, anything else as JSON; the record carries base64. */
  data?: unknown;
  partitionKey?: string;
  sequenceNumber?: string;
  arrivedAt?: Date;
  shardId?: string;
  streamArn?: string;
}

// kinesis-get-records.json; the event source mapping's record:
// https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
const SAMPLE_SEQUENCE_NUMBER = '49545115243490985018280067714973144582180062593244200961';

export function kinesisRecord(options: KinesisRecordOptions = {}): KinesisStreamRecord {
  const {
    data = 'Hello, this is a test 123.',
    partitionKey = 'partitionKey-03',
    sequenceNumber = SAMPLE_SEQUENCE_NUMBER,
    arrivedAt = new Date(1428537600_000),
    shardId = 'shardId-000000000000',
    streamArn = 'arn:aws:kinesis:EXAMPLE',
  } = options;
  return {
    kinesis: {
      partitionKey,
      kinesisSchemaVersion: '1.0',
      data: payloadBase64(data),
      sequenceNumber,
      // Seconds since the epoch, with the milliseconds as decimals.
      approximateArrivalTimestamp: arrivedAt.getTime() / 1000,
    },
    eventSource: 'aws:kinesis',
    eventID: `${shardId}:${sequenceNumber}`,
    invokeIdentityArn: 'arn:aws:iam::EXAMPLE',
    eventVersion: '1.0',
    eventName: 'aws:kinesis:record',
    eventSourceARN: streamArn,
    awsRegion: 'us-east-1',
  };
}

/** One record per options, in shard order (sequence numbers one apart); none given: the sample's record. */
export function kinesisEvent(...records: KinesisRecordOptions[]): KinesisStreamEvent {
  return {
    Records: (records.length === 0 ? [{}] : records).map((options, index) =>
      kinesisRecord({ sequenceNumber: nthNumericId(SAMPLE_SEQUENCE_NUMBER, index), ...options }),
    ),
  };
}
