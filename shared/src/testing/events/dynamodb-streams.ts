import { createHash } from 'node:crypto';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent, StreamRecord } from 'aws-lambda';
import { nthNumericId } from './numbering';

type Item = Record<string, unknown>;
type ChangeName = 'INSERT' | 'MODIFY' | 'REMOVE';
type StreamViewType = NonNullable<StreamRecord['StreamViewType']>;

export interface DynamoDbStreamRecordOptions {
  eventName?: ChangeName;
  /** Plain values, marshalled as the shared document client writes them. */
  keys?: Item;
  /** The item after the change; an INSERT or MODIFY carries it when the view type includes it. */
  newImage?: Item;
  /** The item before the change; a MODIFY or REMOVE carries it when the view type includes it. */
  oldImage?: Item;
  streamViewType?: StreamViewType;
  sequenceNumber?: string;
  sizeBytes?: number;
  approximateCreatedAt?: Date;
  eventId?: string;
  streamArn?: string;
}

// dynamodb-update.json: an INSERT, a MODIFY and a REMOVE of one item. The record's fields:
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.Lambda.html
const SAMPLE_SEQUENCE_NUMBER = '4421584500000000017450439091';
const SAMPLE_CHANGES: Record<ChangeName, { newImage?: Item; oldImage?: Item; sizeBytes: number }> = {
  INSERT: { newImage: { Message: 'New item!', Id: 101 }, sizeBytes: 26 },
  MODIFY: {
    newImage: { Message: 'This item has changed', Id: 101 },
    oldImage: { Message: 'New item!', Id: 101 },
    sizeBytes: 59,
  },
  REMOVE: { oldImage: { Message: 'This item has changed', Id: 101 }, sizeBytes: 38 },
};

export function dynamoDbStreamRecord(options: DynamoDbStreamRecordOptions = {}): DynamoDBRecord {
  const {
    eventName = 'INSERT',
    keys = { Id: 101 },
    streamViewType = 'NEW_AND_OLD_IMAGES',
    sequenceNumber = SAMPLE_SEQUENCE_NUMBER,
    approximateCreatedAt = new Date(1428537600_000),
    // The sample's event ids are the MD5 digests of "1", "2" and "3".
    eventId = md5('1'),
    streamArn = 'arn:aws:dynamodb:us-east-1:123456789012:table/ExampleTableWithStream/stream/2015-06-27T00:48:05.899',
  } = options;
  const sample = SAMPLE_CHANGES[eventName];
  const { newImage = sample.newImage, oldImage = sample.oldImage, sizeBytes = sample.sizeBytes } = options;
  const carriesNew =
    eventName !== 'REMOVE' && (streamViewType === 'NEW_IMAGE' || streamViewType === 'NEW_AND_OLD_IMAGES');
  const carriesOld =
    eventName !== 'INSERT' && (streamViewType === 'OLD_IMAGE' || streamViewType === 'NEW_AND_OLD_IMAGES');
  return {
    eventID: eventId,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: toStreamImage(keys),
      ...(carriesNew && newImage && { NewImage: toStreamImage(newImage) }),
      ...(carriesOld && oldImage && { OldImage: toStreamImage(oldImage) }),
      ApproximateCreationDateTime: Math.floor(approximateCreatedAt.getTime() / 1000),
      SequenceNumber: sequenceNumber,
      SizeBytes: sizeBytes,
      StreamViewType: streamViewType,
    },
    eventSourceARN: streamArn,
  };
}

/**
 * One record per options, in stream order (sequence numbers one apart, event ids as the sample's);
 * none given: the sample's INSERT, MODIFY and REMOVE.
 */
export function dynamoDbStreamEvent(...records: DynamoDbStreamRecordOptions[]): DynamoDBStreamEvent {
  const changes: DynamoDbStreamRecordOptions[] =
    records.length === 0
      ? [{ eventName: 'INSERT' }, { eventName: 'MODIFY' }, { eventName: 'REMOVE' }]
      : records;
  return {
    Records: changes.map((options, index) =>
      dynamoDbStreamRecord({
        sequenceNumber: nthNumericId(SAMPLE_SEQUENCE_NUMBER, index),
        eventId: md5(String(index + 1)),
        ...options,
      }),
    ),
  };
}

/** Marshalled, then as Lambda receives it: JSON, with binary attributes in base64. */
function toStreamImage(item: Item): Record<string, AttributeValue> {
  const image = marshall(item, { removeUndefinedValues: true, convertClassInstanceToMap: true });
  return JSON.parse(
    JSON.stringify(image, function (this: Record<string, unknown>, key: string, value: unknown) {
      const raw = this[key];
      return raw instanceof Uint8Array ? Buffer.from(raw).toString('base64') : value;
    }),
  );
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
