import { expect } from 'chai';
import { kinesisEvent, kinesisRecord } from '../../../../src/testing';
import { asDelivered, awsSample, fieldPaths } from '../sample-shapes';

const sample = awsSample('kinesis-get-records');

function decoded(data: string): string {
  return Buffer.from(data, 'base64').toString('utf8');
}

describe('testing: Kinesis events', () => {
  it('are the Kinesis sample by default', () => {
    expect(fieldPaths(kinesisEvent())).to.deep.equal(fieldPaths(sample));
    expect(asDelivered(kinesisEvent())).to.deep.equal(sample);
  });

  it('carries an object as JSON, a string as UTF-8 and bytes as they are, in base64', () => {
    const [json, text, bytes] = kinesisEvent(
      { data: { deviceId: 'dev-1', celsius: 21.5 } },
      { data: 'déjà' },
      { data: Buffer.from([0, 255]) },
    ).Records;

    expect(decoded(json?.kinesis.data ?? '')).to.equal('{"deviceId":"dev-1","celsius":21.5}');
    expect(decoded(text?.kinesis.data ?? '')).to.equal('déjà');
    expect(Buffer.from(bytes?.kinesis.data ?? '', 'base64')).to.deep.equal(Buffer.from([0, 255]));
  });

  it('numbers the records of a batch in shard order, each with its own event id', () => {
    const records = kinesisEvent({}, {}, {}).Records;

    const sequenceNumbers = records.map((record) => BigInt(record.kinesis.sequenceNumber));
    expect(sequenceNumbers[1]).to.equal((sequenceNumbers[0] ?? 0n) + 1n);
    expect(sequenceNumbers[2]).to.equal((sequenceNumbers[0] ?? 0n) + 2n);
    expect(new Set(records.map((record) => record.eventID)).size).to.equal(3);
  });

  it('takes the partition key, sequence number, shard, stream and arrival time', () => {
    const record = kinesisRecord({
      partitionKey: 'dev-1',
      sequenceNumber: '42',
      shardId: 'shardId-000000000001',
      streamArn: 'arn:aws:kinesis:us-east-1:123456789012:stream/telemetry',
      arrivedAt: new Date('2026-03-01T10:00:00.250Z'),
    });

    expect(record).to.include({
      eventID: 'shardId-000000000001:42',
      eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/telemetry',
    });
    expect(record.kinesis).to.include({ partitionKey: 'dev-1', sequenceNumber: '42' });
    // Seconds, as Kinesis sends them.
    expect(record.kinesis.approximateArrivalTimestamp).to.equal(1772359200.25);
  });
});
