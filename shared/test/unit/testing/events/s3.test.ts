import { expect } from 'chai';
import { s3ObjectChanges } from '../../../../src/s3-events';
import { s3DeleteEvent, s3DeleteRecord, s3Event, s3PutEvent, s3PutRecord } from '../../../../src/testing';
import { asDelivered, awsSample, fieldPaths } from '../sample-shapes';

const deleteSample = awsSample('s3-delete');
const putSample = awsSample('s3-put');

describe('testing: S3 events', () => {
  it('are the put and delete samples by default', () => {
    expect(fieldPaths(s3PutEvent())).to.deep.equal(fieldPaths(putSample));
    expect(fieldPaths(s3DeleteEvent())).to.deep.equal(fieldPaths(deleteSample));
    expect(asDelivered(s3PutEvent())).to.deep.equal(putSample);
    expect(asDelivered(s3DeleteEvent())).to.deep.equal(deleteSample);
  });

  it('URL-encodes the key as S3 does, so the shared mapping reads it back', () => {
    const key = 'lake/year=2026/a photo+1.jpg';

    const event = s3PutEvent({ bucket: 'lake-bucket', key, size: 7, eTag: 'abc', versionId: 'v1' });

    expect(event.Records[0]?.s3.object.key).to.equal('lake/year%3D2026/a+photo%2B1.jpg');
    expect(s3ObjectChanges(event)).to.deep.equal([
      {
        kind: 'created',
        eventName: 'ObjectCreated:Put',
        bucket: 'lake-bucket',
        key,
        sizeBytes: 7,
        eTag: 'abc',
        versionId: 'v1',
        sequencer: '0A1B2C3D4E5F678901',
      },
    ]);
  });

  it('names the bucket in its ARN too', () => {
    const record = s3PutRecord({ bucket: 'images' });

    expect(record.s3.bucket).to.deep.include({ name: 'images', arn: 'arn:aws:s3:::images' });
  });

  it('gives a removal neither size nor eTag, and the version and sequencer named', () => {
    const record = s3DeleteRecord({ key: 'a b', versionId: 'v2', sequencer: '00B' });

    expect(record.s3.object).to.deep.equal({ key: 'a+b', versionId: 'v2', sequencer: '00B' });
  });

  it('takes any event name and time', () => {
    const record = s3PutRecord({
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      eventTime: new Date('2026-03-01T10:00:00.123Z'),
    });

    expect(record).to.include({
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      eventTime: '2026-03-01T10:00:00.123Z',
    });
  });

  it('builds one record per object, or puts and removals together', () => {
    const twoPuts = s3PutEvent({ key: 'a' }, { key: 'b' });
    const mixed = s3Event(s3PutRecord({ key: 'a' }), s3DeleteRecord({ key: 'a' }));

    expect(twoPuts.Records.map((record) => record.s3.object.key)).to.deep.equal(['a', 'b']);
    expect(mixed.Records.map((record) => record.eventName)).to.deep.equal([
      'ObjectCreated:Put',
      'ObjectRemoved:Delete',
    ]);
  });
});
