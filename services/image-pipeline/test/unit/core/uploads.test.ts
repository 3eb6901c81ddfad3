import { ValidationError } from '@serverless-patterns/shared/errors';
import { decodeS3EventKey } from '@serverless-patterns/shared/s3-events';
import { type ImageRecord, imageRecordSchema } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import type { ObjectRef } from '../../../src/core/images';
import {
  type CreatedObject,
  createProcessingStarter,
  type ImageStore,
  imageIdOf,
  parseUploadKey,
  processingRecord,
  type Workflow,
} from '../../../src/core/uploads';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const KEY = 'uploads/owner-1/upload-1/photo.jpg';

/** An upload as the trigger hands it over (the bucket of AWS's sample notification). */
function createdObject(overrides: Partial<CreatedObject> = {}): CreatedObject {
  return { bucket: 'example-bucket', key: KEY, ...overrides };
}

function createInMemoryImages(): ImageStore & { records: Map<string, ImageRecord>; writes: number } {
  const records = new Map<string, ImageRecord>();
  return {
    records,
    writes: 0,
    async createIfAbsent(record) {
      const existing = records.get(record.imageId);
      if (existing) return { existing: { versionId: existing.versionId } };
      records.set(record.imageId, structuredClone(record));
      this.writes += 1;
      return 'created';
    },
    async deleteIfUnchanged(record) {
      const stored = records.get(record.imageId);
      if (stored?.status === 'PROCESSING' && stored.createdAt === record.createdAt)
        records.delete(record.imageId);
    },
  };
}

function createFakeWorkflow(): Workflow & { executions: Map<string, unknown>; starts: number } {
  const executions = new Map<string, unknown>();
  return {
    executions,
    starts: 0,
    async start(name, input) {
      this.starts += 1;
      if (executions.has(name)) return 'exists';
      executions.set(name, structuredClone(input));
      return 'started';
    },
  };
}

/** The starter with in-memory parts: the records, the executions, and the object versions it deleted. */
function setup(clock: () => Date = () => NOW) {
  const images = createInMemoryImages();
  const workflow = createFakeWorkflow();
  const deleted: ObjectRef[] = [];
  const objects = { deleteObjects: async (refs: readonly ObjectRef[]) => void deleted.push(...refs) };
  const starter = createProcessingStarter({ images, objects, workflow, clock });
  return { images, workflow, deleted, starter };
}

describe('uploads', () => {
  describe('parseUploadKey', () => {
    it('reads the owner, the upload and the file name', () => {
      expect(parseUploadKey('uploads/owner-1/upload-1/summer holiday.jpg')).to.deep.equal({
        key: 'uploads/owner-1/upload-1/summer holiday.jpg',
        ownerId: 'owner-1',
        uploadId: 'upload-1',
        fileName: 'summer holiday.jpg',
      });
    });

    for (const key of [
      'test/key',
      'thumbnails/owner-1/upload-1/photo.jpg',
      'uploads/photo.jpg',
      // The layout before uploads had keys of their own: one name per owner, a second upload replaced it.
      'uploads/owner-1/photo.jpg',
      'uploads/owner-1/upload-1/',
      'uploads//upload-1/photo.jpg',
      'uploads/owner-1//photo.jpg',
      'uploads/owner-1/upload-1/nested/photo.jpg',
      'Uploads/owner-1/upload-1/photo.jpg',
    ]) {
      it(`refuses "${key}" as outside uploads/<ownerId>/<uploadId>/<file name>`, () => {
        expect(() => parseUploadKey(key))
          .to.throw(
            ValidationError,
            `Object key "${key}" is not an upload: expected uploads/<ownerId>/<uploadId>/<file name>`,
          )
          .with.property('code', 'VALIDATION_FAILED');
      });
    }

    it('refuses an owner id or an upload id that is not an identifier', () => {
      expect(() => parseUploadKey('uploads/owner 1/upload-1/photo.jpg')).to.throw(
        ValidationError,
        'Object key "uploads/owner 1/upload-1/photo.jpg" names an invalid owner id',
      );
      expect(() => parseUploadKey('uploads/owner-1/up load/photo.jpg')).to.throw(
        ValidationError,
        'names an invalid upload id',
      );
    });

    it('refuses an object whose key only decodes to a path outside the layout', () => {
      expect(() =>
        parseUploadKey(decodeS3EventKey('uploads/owner-1/upload-1%2Fnested%2Fphoto.jpg')),
      ).to.throw(ValidationError, 'is not an upload');
    });
  });

  describe('imageIdOf', () => {
    it('gives the same bucket and key the same id on every call, an identifier the record accepts', () => {
      expect(imageIdOf('images', KEY)).to.equal(imageIdOf('images', KEY));
      expect(imageIdOf('images', KEY)).to.match(/^[0-9a-f]{32}$/);
    });

    it('changes with the key and the bucket: two uploads of photo.jpg are two images', () => {
      const id = imageIdOf('images', KEY);
      expect(imageIdOf('images', 'uploads/owner-1/upload-2/photo.jpg')).to.not.equal(id);
      expect(imageIdOf('other-images', KEY)).to.not.equal(id);
    });
  });

  describe('processingRecord', () => {
    it('builds a PROCESSING record that the shared image record schema accepts', () => {
      const object = createdObject({ bucket: 'images', key: 'uploads/owner-1/upload-1/my photo.jpg' });
      const upload = parseUploadKey(object.key);

      const record = processingRecord(object, upload, NOW);

      expect(imageRecordSchema.parse(record)).to.deep.equal({
        imageId: imageIdOf('images', 'uploads/owner-1/upload-1/my photo.jpg'),
        ownerId: 'owner-1',
        bucket: 'images',
        key: 'uploads/owner-1/upload-1/my photo.jpg',
        status: 'PROCESSING',
        createdAt: '2025-03-01T12:00:00.000Z',
        updatedAt: '2025-03-01T12:00:00.000Z',
      });
    });
  });

  describe('createProcessingStarter', () => {
    it('records an upload and starts one execution, however often its notification is delivered', async () => {
      // Prepare
      const times = [NOW, new Date('2025-03-01T12:05:00.000Z')];
      const { images, workflow, deleted, starter } = setup(() => times.shift() ?? NOW);
      const object = createdObject({ versionId: 'v1' });

      // Act
      const first = await starter.start(object);
      const replay = await starter.start(object);

      // Assess
      expect(first).to.include({ outcome: 'started', ownerId: 'owner-1', key: KEY, versionId: 'v1' });
      expect(replay).to.deep.equal({ ...first, outcome: 'already-started' });
      expect(images.writes).to.equal(1);
      expect(deleted).to.deep.equal([]);
      expect([...images.records.values()]).to.deep.equal([
        {
          imageId: first.imageId,
          ownerId: 'owner-1',
          bucket: 'example-bucket',
          key: KEY,
          versionId: 'v1',
          status: 'PROCESSING',
          createdAt: NOW.toISOString(),
          updatedAt: NOW.toISOString(),
        },
      ]);
      // The execution is named after the image, with the job (no timestamp: a replay sends the same input).
      expect([...workflow.executions.entries()]).to.deep.equal([
        [
          first.imageId,
          { imageId: first.imageId, ownerId: 'owner-1', bucket: 'example-bucket', key: KEY, versionId: 'v1' },
        ],
      ]);
    });

    it('starts the execution a first delivery missed after writing the record', async () => {
      const { images, workflow, starter } = setup();
      const object = createdObject();
      await images.createIfAbsent(processingRecord(object, parseUploadKey(KEY), NOW));

      const replay = await starter.start(object);

      expect(replay).to.include({ outcome: 'started' });
      expect(workflow.executions.size).to.equal(1);
    });

    it('keeps both photos when two uploads have the same file name: two keys, two records, two originals', async () => {
      const { images, workflow, deleted, starter } = setup();

      const first = await starter.start(
        createdObject({ key: 'uploads/owner-1/upload-1/photo.jpg', versionId: 'a' }),
      );
      const second = await starter.start(
        createdObject({ key: 'uploads/owner-1/upload-2/photo.jpg', versionId: 'b' }),
      );

      expect([first.outcome, second.outcome]).to.deep.equal(['started', 'started']);
      expect(first.imageId).to.not.equal(second.imageId);
      expect([...images.records.values()].map(({ key, versionId }) => ({ key, versionId }))).to.deep.equal([
        { key: 'uploads/owner-1/upload-1/photo.jpg', versionId: 'a' },
        { key: 'uploads/owner-1/upload-2/photo.jpg', versionId: 'b' },
      ]);
      expect(workflow.executions.size).to.equal(2);
      expect(deleted, 'no original deleted or superseded').to.deep.equal([]);
    });

    it('processes one object per upload key: a second version (a presigned POST used again) is deleted, nothing starts', async () => {
      const { images, workflow, deleted, starter } = setup();
      const first = await starter.start(createdObject({ versionId: 'v1' }));

      const again = await starter.start(createdObject({ versionId: 'v2' }));

      expect(again).to.include({ outcome: 'key-reused', imageId: first.imageId, versionId: 'v2' });
      expect(images.records.get(first.imageId)).to.include({ versionId: 'v1', status: 'PROCESSING' });
      expect(workflow.starts).to.equal(1);
      // The image's own version becomes current again: it never turns noncurrent (and expires).
      expect(deleted).to.deep.equal([{ bucket: 'example-bucket', key: KEY, versionId: 'v2' }]);
    });

    it('ends an event replayed or redriven after the owner deleted the image with the image still deleted', async () => {
      // Prepare: processed, then deleted by its owner (record and original version gone).
      const { images, workflow, deleted, starter } = setup();
      const object = createdObject({ versionId: 'v1' });
      const first = await starter.start(object);
      images.records.delete(first.imageId);

      // Act: S3 delivers the same notification again.
      const replay = await starter.start(object);

      // Assess: the record written again is removed again (not left PROCESSING for ever), the version deleted.
      expect(replay).to.include({ outcome: 'image-deleted', imageId: first.imageId });
      expect(images.records.size).to.equal(0);
      expect(workflow.executions.size).to.equal(1);
      expect(deleted).to.deep.equal([{ bucket: 'example-bucket', key: KEY, versionId: 'v1' }]);
    });

    it('refuses an object outside uploads/ and writes and starts nothing', async () => {
      const { images, workflow, starter } = setup();

      let error: unknown;
      try {
        await starter.start(createdObject({ key: 'test/key' }));
      } catch (caught) {
        error = caught;
      }

      expect(error).to.be.instanceOf(ValidationError).with.property('message').that.contains('test/key');
      expect(images.records.size).to.equal(0);
      expect(workflow.starts).to.equal(0);
    });
  });
});
