import { catalogEntrySchema } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import { comparableSequencer, describeLakeObject, type LakeObject } from '../../../src/core/lake-objects';

const registeredAt = new Date('2026-11-29T09:31:02.000Z');

function lakeObject(overrides: Partial<LakeObject> = {}): LakeObject {
  return {
    bucket: 'sp-123456789012-eu-west-1-dev-lake',
    key: 'raw/clickstream/year=2026/month=11/day=29/file.jsonl.gz',
    sizeBytes: 18_204,
    eTag: '0123456789abcdef0123456789abcdef',
    ...overrides,
  };
}

function reasonIgnored(key: string): string {
  const described = describeLakeObject(lakeObject({ key }), registeredAt);
  if (described.catalogued) expect.fail(`${key} was catalogued as ${JSON.stringify(described.entry)}`);
  return described.reason;
}

function entryFor(key: string) {
  const described = describeLakeObject(lakeObject({ key }), registeredAt);
  if (!described.catalogued) return expect.fail(`${key} was ignored: ${described.reason}`);
  return described.entry;
}

describe('lake objects', () => {
  describe('describeLakeObject', () => {
    it('catalogues a Firehose delivery by zone, dataset, Hive partitions, gzip and JSON lines', () => {
      const object = lakeObject();

      const described = describeLakeObject(object, registeredAt);

      expect(described).to.deep.equal({
        catalogued: true,
        entry: {
          bucket: 'sp-123456789012-eu-west-1-dev-lake',
          key: 'raw/clickstream/year=2026/month=11/day=29/file.jsonl.gz',
          zone: 'raw',
          dataset: 'clickstream',
          partitions: { year: '2026', month: '11', day: '29' },
          format: 'jsonl',
          compression: 'gzip',
          sizeBytes: 18_204,
          etag: '0123456789abcdef0123456789abcdef',
          registeredAt: '2026-11-29T09:31:02.000Z',
        },
      });
    });

    it('produces an entry that the shared catalog schema accepts', () => {
      const described = describeLakeObject(lakeObject({ versionId: 'v-3HL4kqtJlcpXroDTDmJ' }), registeredAt);

      expect(described.catalogued && catalogEntrySchema.safeParse(described.entry).success).to.equal(true);
    });

    it('keeps the version id of a versioned object', () => {
      const described = describeLakeObject(lakeObject({ versionId: 'v-3HL4kqtJlcpXroDTDmJ' }), registeredAt);

      expect(described.catalogued && described.entry.versionId).to.equal('v-3HL4kqtJlcpXroDTDmJ');
    });

    it('names a nested dataset by its whole folder path', () => {
      const entry = entryFor('curated/sales/eu/daily/year=2026/month=11/part-0000.parquet');

      expect(entry).to.include({
        zone: 'curated',
        dataset: 'sales/eu/daily',
        format: 'parquet',
        compression: 'none',
      });
      expect(entry.partitions).to.deep.equal({ year: '2026', month: '11' });
    });

    it('catalogues an unpartitioned dataset with no partitions', () => {
      const entry = entryFor('errors/clickstream/failed-6f1e4a2b.csv');

      expect(entry).to.include({ zone: 'errors', dataset: 'clickstream', format: 'csv' });
      expect(entry.partitions).to.deep.equal({});
    });

    it('leaves query results to their query', () => {
      expect(reasonIgnored('results/6f1e4a2b/result.parquet')).to.contain('described by their query');
    });

    for (const key of [
      'raw/clickstream/../secrets/file.jsonl',
      'raw/./clickstream/file.jsonl',
      'raw//file.jsonl',
      'raw/x/..',
    ]) {
      it(`ignores ${key}: a lake key has no dot or empty segment`, () => {
        expect(reasonIgnored(key)).to.equal('a lake key has no empty, "." or ".." segment');
      });
    }

    it('catalogues keys with spaces and non-ASCII characters as they are', () => {
      const entry = entryFor('raw/données clients/year=2026/fichier été 1.jsonl');

      expect(entry).to.include({ dataset: 'données clients', format: 'jsonl' });
      expect(entry.partitions).to.deep.equal({ year: '2026' });
    });

    it('keeps an "=" inside a partition value', () => {
      expect(entryFor('curated/reports/filter=a=b/report.csv').partitions).to.deep.equal({ filter: 'a=b' });
    });

    for (const [fileName, format, compression] of [
      ['clicks.ndjson', 'jsonl', 'none'],
      ['clicks.json.gz', 'jsonl', 'gzip'],
      ['clicks.csv.gz', 'csv', 'gzip'],
      // Firehose writes JSON lines with no extension unless one is configured.
      ['clicks-1-2026-11-29-09-30-00-4b1f', 'jsonl', 'none'],
      ['clicks.avro', 'unknown', 'none'],
    ] as const) {
      it(`reads ${fileName} as ${format}, ${compression}`, () => {
        const entry = entryFor(`raw/clickstream/year=2026/${fileName}`);

        expect(entry).to.include({ format, compression });
      });
    }

    it('ignores a key outside the lake zones and says why', () => {
      expect(reasonIgnored('test/key')).to.equal(
        '"test/" is not a lake zone (raw, curated, backup, errors, results)',
      );
    });

    it('ignores a zone spelled in capitals', () => {
      expect(reasonIgnored('Raw/clickstream/file.jsonl')).to.contain('is not a lake zone');
    });

    it('ignores a folder marker', () => {
      expect(reasonIgnored('raw/x/')).to.equal('folder marker');
    });

    it('ignores a file placed directly in a zone', () => {
      expect(reasonIgnored('raw/file.jsonl')).to.equal('objects must sit in a dataset folder');
    });

    it('ignores a partition with no dataset before it', () => {
      expect(reasonIgnored('raw/year=2026/file.jsonl')).to.equal('objects must sit in a dataset folder');
    });

    it('ignores a folder after a partition that is not a partition itself', () => {
      expect(reasonIgnored('raw/clickstream/year=2026/hourly/file.jsonl')).to.equal(
        '"hourly" follows a partition but is not one',
      );
    });
  });

  describe('comparableSequencer', () => {
    it('orders a shorter, earlier sequencer before a longer, later one', () => {
      const earlier = '9F';
      const later = '0100';

      expect(earlier > later, 'as raw text the order is wrong').to.equal(true);
      expect(comparableSequencer(earlier) < comparableSequencer(later)).to.equal(true);
    });

    it("orders the AWS sample's sequencer after a short smaller one", () => {
      expect(comparableSequencer('FF') < comparableSequencer('0A1B2C3D4E5F678901')).to.equal(true);
    });

    it('keeps the order of sequencers of the same length', () => {
      expect(comparableSequencer('0A1B2C3D4E5F678901') < comparableSequencer('0A1B2C3D4E5F678902')).to.equal(
        true,
      );
    });

    it('ignores the case of the hexadecimal digits', () => {
      expect(comparableSequencer('0a1b2c3d4e5f678901')).to.equal(comparableSequencer('0A1B2C3D4E5F678901'));
    });

    it('gives every sequencer the same length, so they can be stored and compared as strings', () => {
      expect(comparableSequencer('FF')).to.have.length(comparableSequencer('0A1B2C3D4E5F678901').length);
    });
  });
});
