import { expect } from 'chai';
import { firehoseRecord, firehoseTransformationEvent } from '../../../../src/testing';
import { asDelivered, awsSample, fieldPaths } from '../sample-shapes';

const sample = awsSample('kinesis-kinesis-firehose');

describe('testing: Firehose data-transformation events', () => {
  it('are the Firehose sample by default', () => {
    expect(fieldPaths(firehoseTransformationEvent())).to.deep.equal(fieldPaths(sample));
    expect(asDelivered(firehoseTransformationEvent())).to.deep.equal(sample);
  });

  it('carries each payload in base64, each record with its own id', () => {
    const records = firehoseTransformationEvent({ data: { page: '/' } }, { data: 'plain' }).records;

    expect(records.map((record) => Buffer.from(record.data, 'base64').toString('utf8'))).to.deep.equal([
      '{"page":"/"}',
      'plain',
    ]);
    expect(records[0]?.recordId).to.not.equal(records[1]?.recordId);
  });

  it('takes the record id and arrival time, in milliseconds as Firehose sends it', () => {
    const record = firehoseRecord({ recordId: 'r-1', arrivedAt: new Date('2026-03-01T10:00:00.250Z') });

    expect(record).to.include({ recordId: 'r-1', approximateArrivalTimestamp: 1772359200250 });
  });

  it('leaves the delivery stream to a spread', () => {
    const event = {
      ...firehoseTransformationEvent(),
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:1:clicks',
    };

    expect(event.deliveryStreamArn).to.equal('arn:aws:firehose:us-east-1:1:clicks');
  });
});
