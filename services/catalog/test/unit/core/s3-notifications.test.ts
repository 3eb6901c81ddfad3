import { expect } from 'chai';
import { describeLakeObject } from '../../../src/core/lake-objects';
import { decodeS3Key, lakeObjectEventsFrom } from '../../../src/core/s3-notifications';
import { createS3DeleteRecord, createS3Event, createS3PutRecord } from '../s3-event-factories';

describe('S3 notifications', () => {
  describe('decodeS3Key', () => {
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
        expect(decodeS3Key(encoded)).to.equal(decoded);
      });
    }
  });

  describe('lakeObjectEventsFrom', () => {
    it('reads the AWS sample put notification as a created object', () => {
      const event = createS3Event(createS3PutRecord());

      const events = lakeObjectEventsFrom(event);

      expect(events).to.deep.equal([
        {
          kind: 'created',
          sequencer: '0A1B2C3D4E5F678901',
          object: {
            bucket: 'example-bucket',
            key: 'test/key',
            sizeBytes: 1024,
            etag: '0123456789abcdef0123456789abcdef',
          },
        },
      ]);
    });

    it('reads the AWS sample delete notification, which has no size or etag, as a removed object', () => {
      const event = createS3Event(createS3DeleteRecord());

      const events = lakeObjectEventsFrom(event);

      expect(events).to.deep.equal([
        {
          kind: 'removed',
          sequencer: '0A1B2C3D4E5F678901',
          object: { bucket: 'example-bucket', key: 'test/key', sizeBytes: 0, etag: '' },
        },
      ]);
    });

    it('treats a delete marker on a versioned bucket as a removal', () => {
      const event = createS3Event(
        createS3DeleteRecord({ eventName: 'ObjectRemoved:DeleteMarkerCreated', versionId: 'v-2' }),
      );

      const [removal] = lakeObjectEventsFrom(event);

      expect(removal?.kind).to.equal('removed');
      expect(removal?.object.versionId).to.equal('v-2');
    });

    for (const eventName of [
      'ObjectCreated:Post',
      'ObjectCreated:Copy',
      'ObjectCreated:CompleteMultipartUpload',
    ]) {
      it(`treats ${eventName} as a created object`, () => {
        const [created] = lakeObjectEventsFrom(createS3Event(createS3PutRecord({ eventName })));

        expect(created?.kind).to.equal('created');
      });
    }

    it('keeps the version id of a versioned object', () => {
      const [created] = lakeObjectEventsFrom(
        createS3Event(createS3PutRecord({ versionId: '3HL4kqtJlcpXroDTDmJ' })),
      );

      expect(created?.object.versionId).to.equal('3HL4kqtJlcpXroDTDmJ');
    });

    it('decodes the key, so a Hive partition arrives as year=2026', () => {
      const event = createS3Event(
        createS3PutRecord({ key: 'raw/clickstream/year%3D2026/month%3D11/day%3D29/my+clicks%2B1.jsonl.gz' }),
      );

      const [created] = lakeObjectEventsFrom(event);

      expect(created?.object.key).to.equal('raw/clickstream/year=2026/month=11/day=29/my clicks+1.jsonl.gz');
    });

    it('lets the catalog read partitions from an encoded Firehose key', () => {
      const event = createS3Event(
        createS3PutRecord({ key: 'raw/clickstream/year%3D2026/month%3D11/day%3D29/file.jsonl.gz' }),
      );
      const [created] = lakeObjectEventsFrom(event);

      const described = created && describeLakeObject(created.object, new Date('2026-11-29T09:31:02Z'));

      expect(described?.catalogued && described.entry.partitions).to.deep.equal({
        year: '2026',
        month: '11',
        day: '29',
      });
    });

    it('keeps every record of the notification, in order', () => {
      const event = createS3Event(
        createS3PutRecord({ key: 'raw/a/1.csv', sequencer: '01' }),
        createS3DeleteRecord({ key: 'raw/a/2.csv', sequencer: '02' }),
        createS3PutRecord({ key: 'raw/a/3.csv', sequencer: '03' }),
      );

      const events = lakeObjectEventsFrom(event);

      expect(events.map(({ kind, object, sequencer }) => [kind, object.key, sequencer])).to.deep.equal([
        ['created', 'raw/a/1.csv', '01'],
        ['removed', 'raw/a/2.csv', '02'],
        ['created', 'raw/a/3.csv', '03'],
      ]);
    });
  });
});
