import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  GetObjectCommand,
  GetObjectTaggingCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { s3 } from '@serverless-patterns/shared/clients/s3';
import { mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createLakeObjects, createQueryObjects } from '../../../src/adapters/lake-bucket';
import { s3Body } from '../fakes';

const OBJECT = { bucket: 'lake', key: 'raw/clicks/a.jsonl', versionId: 'v1' };
const body = s3Body;

describe('lake bucket adapter', () => {
  const mocks = mockClientsInEachTest({ s3 });

  describe('objects, as the register function reads them', () => {
    const objects = createLakeObjects();

    it('reads the first bytes of a version with an explicit range, and says whether that was all', async () => {
      mocks.s3.on(GetObjectCommand).resolves({ Body: body('{"a":1}\n'), ContentRange: 'bytes 0-7/8' });

      const head = await objects.head(OBJECT, 1024);

      expect(head?.complete).to.equal(true);
      expect(mocks.s3.commandCalls(GetObjectCommand)[0]?.args[0].input).to.deep.equal({
        Bucket: 'lake',
        Key: 'raw/clicks/a.jsonl',
        VersionId: 'v1',
        Range: 'bytes=0-1023',
      });
    });

    it('reads the last bytes by their first-last range (not a suffix range, which s3rver misreads)', async () => {
      mocks.s3
        .on(GetObjectCommand)
        .resolvesOnce({ Body: body('P'), ContentRange: 'bytes 0-0/1000' })
        .resolves({ Body: body('tail'), ContentRange: 'bytes 996-999/1000' });

      await objects.tail(OBJECT, 4);

      expect(mocks.s3.commandCalls(GetObjectCommand)[1]?.args[0].input.Range).to.equal('bytes=996-999');
    });

    it('answers undefined for a version that is gone', async () => {
      mocks.s3.on(GetObjectCommand).rejects(new NoSuchKey({ message: 'gone', $metadata: {} }));

      expect(await objects.head(OBJECT, 10)).to.equal(undefined);
    });

    it('keeps the object’s other tags and writes nothing when the tag is already there', async () => {
      mocks.s3
        .on(GetObjectTaggingCommand)
        .resolvesOnce({ TagSet: [{ Key: 'owner', Value: 'data-team' }] })
        .resolves({
          TagSet: [
            { Key: 'owner', Value: 'data-team' },
            { Key: 'lake:sensitive-data', Value: 'email' },
          ],
        });

      await objects.tag(OBJECT, { 'lake:sensitive-data': 'email' });
      await objects.tag(OBJECT, { 'lake:sensitive-data': 'email' });

      const puts = mocks.s3.commandCalls(PutObjectTaggingCommand);
      expect(puts).to.have.length(1);
      expect(puts[0]?.args[0].input).to.deep.equal({
        Bucket: 'lake',
        Key: 'raw/clicks/a.jsonl',
        VersionId: 'v1',
        Tagging: {
          TagSet: [
            { Key: 'owner', Value: 'data-team' },
            { Key: 'lake:sensitive-data', Value: 'email' },
          ],
        },
      });
    });
  });

  describe('objects, as queries read them', () => {
    let cacheDir: string;
    beforeEach(async () => {
      cacheDir = await mkdtemp(join(tmpdir(), 'lake-cache-test-'));
    });
    afterEach(() => rm(cacheDir, { recursive: true, force: true }));

    it('lists a folder’s data files, leaving out hidden files and folder markers', async () => {
      mocks.s3.on(ListObjectsV2Command).resolves({
        Contents: [
          { Key: 'curated/ngram/decade=1990/part-0.parquet', ETag: '"a"', Size: 10 },
          { Key: 'curated/ngram/decade=1990/_SUCCESS', ETag: '"b"', Size: 0 },
          { Key: 'curated/ngram/decade=1990/.part-0.crc', ETag: '"c"', Size: 4 },
          { Key: 'curated/ngram/decade=1990/', ETag: '"d"', Size: 0 },
        ],
      });
      const objects = createQueryObjects({ resultsBucket: () => 'lake', cacheDir, cacheBytes: 1000 });

      const [files] = await objects.list(['s3://lake/curated/ngram/decade=1990/']);

      expect(files).to.deep.equal([
        { bucket: 'lake', key: 'curated/ngram/decade=1990/part-0.parquet', etag: '"a"', sizeBytes: 10 },
      ]);
      expect(mocks.s3.commandCalls(ListObjectsV2Command)[0]?.args[0].input).to.include({
        Prefix: 'curated/ngram/decade=1990/',
        Delimiter: '/',
      });
    });

    it('lists many folders with one listing of the folder above them', async () => {
      const folders = [1960, 1970, 1980, 1990, 2000].map(
        (decade) => `s3://lake/curated/ngram/decade=${decade}/`,
      );
      mocks.s3.on(ListObjectsV2Command).resolves({
        Contents: [1960, 1970, 1980, 1990, 2000, 2010].map((decade) => ({
          Key: `curated/ngram/decade=${decade}/part-0.parquet`,
          ETag: '"e"',
          Size: 1,
        })),
      });
      const objects = createQueryObjects({ resultsBucket: () => 'lake', cacheDir, cacheBytes: 1000 });

      const listed = await objects.list(folders, 's3://lake/curated/ngram/');

      expect(listed.map((files) => files.length)).to.deep.equal([1, 1, 1, 1, 1]);
      expect(mocks.s3.commandCalls(ListObjectsV2Command)).to.have.length(1);
    });

    it('copies an object once per ETag, keeps gzip recognisable, and evicts the least recently used', async () => {
      mocks.s3.on(GetObjectCommand).callsFake(() => ({ Body: body(gzipSync('{"a":1}\n')) }));
      const objects = createQueryObjects({ resultsBucket: () => 'lake', cacheDir, cacheBytes: 60 });
      const object = (key: string, etag = '"1"') => ({ bucket: 'lake', key, etag, sizeBytes: 40 });

      const [first] = await objects.localCopies([object('raw/a.gz')]);
      const [again] = await objects.localCopies([object('raw/a.gz')]);
      await objects.localCopies([object('raw/b')]);

      expect(first).to.equal(again);
      expect(first?.endsWith('.gz')).to.equal(true);
      expect(mocks.s3.commandCalls(GetObjectCommand)).to.have.length(2);
      expect(await readdir(cacheDir), 'a.gz evicted to make room for b').to.have.length(1);
    });
  });
});
