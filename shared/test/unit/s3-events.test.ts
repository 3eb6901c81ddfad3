import { expect } from 'chai';
import { ValidationError } from '../../src/errors';
import { decodeS3EventKey, encodeS3EventKey, s3ObjectChanges } from '../../src/s3-events';
import { s3DeleteRecord, s3Event, s3PutEvent, s3PutRecord } from '../../src/testing';

describe('S3 notifications', () => {
  describe('decodeS3EventKey', () => {
    for (const [encoded, decoded, what] of [
      ['raw/clicks/my+file.jsonl', 'raw/clicks/my file.jsonl', "'+' as a space"],
      ['raw/clicks/a%2Bb.jsonl', 'raw/clicks/a+b.jsonl', "'%2B' as a plus"],
      ['raw/clicks/a+%2B+b.jsonl', 'raw/clicks/a + b.jsonl', "'+' and '%2B' side by side"],
      [
        'raw/clickstream/year%3D2026/month%3D11/f.gz',
        'raw/clickstream/year=2026/month=11/f.gz',
        "'%3D' as '='",
      ],
      ['raw/caf%C3%A9/menu.csv', 'raw/café/menu.csv', 'UTF-8 sequences'],
      ['test/key', 'test/key', 'a key with nothing encoded'],
    ] as const) {
      it(`decodes ${what}`, () => {
        expect(decodeS3EventKey(encoded)).to.equal(decoded);
      });
    }

    it('refuses a key that is not valid URL encoding, naming it', () => {
      expect(() => decodeS3EventKey('uploads/%E0%A4%A.jpg'))
        .to.throw(ValidationError, 'uploads/%E0%A4%A.jpg')
        .with.property('code', 'VALIDATION_FAILED');
    });

    it('reverses encodeS3EventKey for spaces, plus signs, equals signs, ../ and non-ASCII', () => {
      for (const key of ['raw/a b/c+d=e.csv', 'uploads/o-1/../ünïcödé 名前.jpg', "raw/x/!'()*~.json"]) {
        expect(decodeS3EventKey(encodeS3EventKey(key))).to.equal(key);
      }
    });
  });

  describe('s3ObjectChanges', () => {
    it("reads AWS's sample put notification as a created object", () => {
      expect(s3ObjectChanges(s3PutEvent())).to.deep.equal([
        {
          kind: 'created',
          eventName: 'ObjectCreated:Put',
          bucket: 'example-bucket',
          key: 'test/key',
          sizeBytes: 1024,
          eTag: '0123456789abcdef0123456789abcdef',
          sequencer: '0A1B2C3D4E5F678901',
        },
      ]);
    });

    it('reads a delete notification, which has no size or ETag, as a removed object', () => {
      const [removal] = s3ObjectChanges(s3Event(s3DeleteRecord({ key: 'raw/a/b.csv' })));

      expect(removal).to.include({ kind: 'removed', key: 'raw/a/b.csv', sizeBytes: 0, eTag: '' });
    });

    it('treats a delete marker on a versioned bucket as a removal, with its version', () => {
      const [removal] = s3ObjectChanges(
        s3Event(s3DeleteRecord({ eventName: 'ObjectRemoved:DeleteMarkerCreated', versionId: 'v-2' })),
      );

      expect(removal).to.include({ kind: 'removed', versionId: 'v-2' });
    });

    for (const eventName of [
      'ObjectCreated:Post',
      'ObjectCreated:Copy',
      'ObjectCreated:CompleteMultipartUpload',
    ]) {
      it(`treats ${eventName} as a created object`, () => {
        const [created] = s3ObjectChanges(s3Event(s3PutRecord({ eventName })));

        expect(created?.kind).to.equal('created');
      });
    }

    it('keeps the version id of a versioned object', () => {
      const [created] = s3ObjectChanges(s3PutEvent({ versionId: '3HL4kqtJlcpXroDTDmJ' }));

      expect(created?.versionId).to.equal('3HL4kqtJlcpXroDTDmJ');
    });

    it('decodes the key, so a Hive partition arrives as year=2026', () => {
      const key = 'raw/clickstream/year=2026/month=11/day=29/my clicks+1.jsonl.gz';
      const event = s3PutEvent({ key });

      expect(event.Records[0]?.s3.object.key).to.equal(
        'raw/clickstream/year%3D2026/month%3D11/day%3D29/my+clicks%2B1.jsonl.gz',
      );
      expect(s3ObjectChanges(event)[0]?.key).to.equal(key);
    });

    it('keeps every record of the notification, in order', () => {
      const event = s3Event(
        s3PutRecord({ key: 'raw/a/1.csv', sequencer: '01' }),
        s3DeleteRecord({ key: 'raw/a/2.csv', sequencer: '02' }),
        s3PutRecord({ key: 'raw/a/3.csv', sequencer: '03' }),
      );

      expect(s3ObjectChanges(event).map(({ kind, key, sequencer }) => [kind, key, sequencer])).to.deep.equal([
        ['created', 'raw/a/1.csv', '01'],
        ['removed', 'raw/a/2.csv', '02'],
        ['created', 'raw/a/3.csv', '03'],
      ]);
    });
  });
});
