import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { expect } from 'chai';
import { dynamoDbStreamEvent, dynamoDbStreamRecord } from '../../../../src/testing';
import { asDelivered, awsSample, fieldPaths } from '../sample-shapes';

const sample = awsSample<DynamoDBStreamEvent>('dynamodb-update');

type Image = Parameters<typeof unmarshall>[0];

describe('testing: DynamoDB Streams events', () => {
  it("are the sample's INSERT, MODIFY and REMOVE by default", () => {
    expect(fieldPaths(dynamoDbStreamEvent())).to.deep.equal(fieldPaths(sample));
    expect(asDelivered(dynamoDbStreamEvent())).to.deep.equal(sample);
  });

  it("gives each kind of change the fields of the sample's record of that kind", () => {
    for (const sampleRecord of sample.Records) {
      const { eventName } = sampleRecord;

      expect(fieldPaths(dynamoDbStreamRecord({ eventName })), eventName).to.deep.equal(
        fieldPaths(sampleRecord),
      );
    }
  });

  it('marshalls the keys and images, which unmarshall back', () => {
    const before = { pk: 'DEVICE#dev-1', sk: 'META', threshold: 25, tags: new Set(['kitchen']) };
    const after = { ...before, threshold: 30, alerts: [{ at: '2026-03-01', celsius: 31 }] };

    const record = dynamoDbStreamRecord({
      eventName: 'MODIFY',
      keys: { pk: before.pk, sk: before.sk },
      oldImage: before,
      newImage: after,
    });

    expect(record.dynamodb?.Keys).to.deep.equal({ pk: { S: 'DEVICE#dev-1' }, sk: { S: 'META' } });
    expect(unmarshall(record.dynamodb?.OldImage as Image)).to.deep.equal(before);
    expect(unmarshall(record.dynamodb?.NewImage as Image)).to.deep.equal(after);
  });

  it('carries binary attributes in base64, as Lambda receives them', () => {
    const record = dynamoDbStreamRecord({ newImage: { id: 'a', bytes: Buffer.from([1, 2, 3]) } });

    expect(record.dynamodb?.NewImage?.bytes).to.deep.equal({ B: 'AQID' });
  });

  it('carries only the images the kind of change and the view type include', () => {
    const item = { Id: 1 };
    const images = (options: Parameters<typeof dynamoDbStreamRecord>[0]) => {
      const { NewImage, OldImage } =
        dynamoDbStreamRecord({ newImage: item, oldImage: item, ...options }).dynamodb ?? {};
      return { new: NewImage !== undefined, old: OldImage !== undefined };
    };

    expect(images({ eventName: 'INSERT' })).to.deep.equal({ new: true, old: false });
    expect(images({ eventName: 'MODIFY' })).to.deep.equal({ new: true, old: true });
    expect(images({ eventName: 'REMOVE' })).to.deep.equal({ new: false, old: true });
    expect(images({ eventName: 'MODIFY', streamViewType: 'NEW_IMAGE' })).to.deep.equal({
      new: true,
      old: false,
    });
    expect(images({ eventName: 'MODIFY', streamViewType: 'OLD_IMAGE' })).to.deep.equal({
      new: false,
      old: true,
    });
    expect(images({ eventName: 'MODIFY', streamViewType: 'KEYS_ONLY' })).to.deep.equal({
      new: false,
      old: false,
    });
  });

  it('numbers the records of a batch in stream order, each with its own event id', () => {
    const records = dynamoDbStreamEvent({}, {}, {}, {}).Records;

    expect(records.map((record) => record.dynamodb?.SequenceNumber)).to.deep.equal([
      '4421584500000000017450439091',
      '4421584500000000017450439092',
      '4421584500000000017450439093',
      '4421584500000000017450439094',
    ]);
    expect(new Set(records.map((record) => record.eventID)).size).to.equal(4);
  });

  it('takes the stream, sequence number, size, creation time and event id', () => {
    const record = dynamoDbStreamRecord({
      streamArn: 'arn:aws:dynamodb:us-east-1:123456789012:table/api/stream/2026-01-01T00:00:00.000',
      sequenceNumber: '7',
      sizeBytes: 99,
      approximateCreatedAt: new Date('2026-03-01T10:00:00.900Z'),
      eventId: 'e-1',
    });

    expect(record).to.include({
      eventID: 'e-1',
      eventSourceARN: 'arn:aws:dynamodb:us-east-1:123456789012:table/api/stream/2026-01-01T00:00:00.000',
    });
    // Whole seconds, as DynamoDB Streams sends them.
    expect(record.dynamodb).to.include({
      SequenceNumber: '7',
      SizeBytes: 99,
      ApproximateCreationDateTime: 1772359200,
    });
  });
});
