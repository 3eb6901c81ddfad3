import { ValidationError } from '@serverless-patterns/shared/errors';
import { decodeS3EventKey } from '@serverless-patterns/shared/s3-events';
import { type ImageRecord, imageRecordSchema } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
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

/** An upload as the trigger hands it over (bucket, ETag and sequencer of AWS's sample notification). */
function createdObject(overrides: Partial<CreatedObject> = {}): CreatedObject {
  return {
    bucket: 'example-bucket',
    key: 'uploads/owner-1/photo.jpg',
    eTag: '0123456789abcdef0123456789abcdef',
    ...overrides,
  };
}

function createInMemoryImages(): ImageStore & { records: Map<string, ImageRecord>; writes: number } {
  const records = new Map<string, ImageRecord>();
  return {
    records,
    writes: 0,
    async createIfAbsent(record) {
      if (records.has(record.imageId)) return 'exists';
      records.set(record.imageId, structuredClone(record));
      this.writes += 1;
      return 'created';
    },
  };
}

describe('uploads', () => {
  describe('parseUploadKey', () => {
    it('reads the owner and the file name', () => {
      expect(parseUploadKey('uploads/owner-1/summer holiday.jpg')).to.deep.equal({
        key: 'uploads/owner-1/summer holiday.jpg',
        ownerId: 'owner-1',
        fileName: 'summer holiday.jpg',
      });
    });

    for (const key of [
      'test/key',
      'thumbnails/owner-1/photo.jpg',
      'uploads/photo.jpg',
      'uploads/owner-1/',
      'uploads//photo.jpg',
      'uploads/owner-1/nested/photo.jpg',
      'Uploads/owner-1/photo.jpg',
    ]) {
      it(`refuses "${key}" as outside uploads/<ownerId>/<file name>`, () => {
        expect(() => parseUploadKey(key))
          .to.throw(
            ValidationError,
            `Object key "${key}" is not an upload: expected uploads/<ownerId>/<file name>`,
          )
          .with.property('code', 'VALIDATION_FAILED');
      });
    }

    it('refuses an owner id that is not an identifier', () => {
      expect(() => parseUploadKey('uploads/owner 1/photo.jpg')).to.throw(
        ValidationError,
        'Object key "uploads/owner 1/photo.jpg" names an invalid owner id',
      );
    });

    it('refuses an object whose key only decodes to a path outside the layout', () => {
      expect(() => parseUploadKey(decodeS3EventKey('uploads/owner-1%2Fnested%2Fphoto.jpg'))).to.throw(
        ValidationError,
        'is not an upload',
      );
    });
  });

  describe('imageIdOf', () => {
    const key = 'uploads/owner-1/photo.jpg';
    const object = { bucket: 'images', eTag: 'etag-1' };

    it('gives the same bucket, key and ETag the same id on every call', () => {
      expect(imageIdOf(object, key)).to.equal(imageIdOf({ ...object }, key));
    });

    it('is an identifier the image record accepts', () => {
      expect(imageIdOf(object, key)).to.match(/^[0-9a-f]{32}$/);
    });

    it('changes with the ETag, the key and the bucket', () => {
      const id = imageIdOf(object, key);
      expect(imageIdOf({ ...object, eTag: 'etag-2' }, key)).to.not.equal(id);
      expect(imageIdOf(object, 'uploads/owner-1/other.jpg')).to.not.equal(id);
      expect(imageIdOf({ ...object, bucket: 'other-images' }, key)).to.not.equal(id);
    });

    it('tells two versions with identical bytes (same ETag) apart by version id', () => {
      const first = imageIdOf({ ...object, versionId: 'v1' }, key);
      expect(imageIdOf({ ...object, versionId: 'v2' }, key)).to.not.equal(first);
      expect(imageIdOf({ ...object, versionId: 'v1' }, key)).to.equal(first);
    });
  });

  describe('processingRecord', () => {
    it('builds a PROCESSING record that the shared image record schema accepts', () => {
      const object = createdObject({ bucket: 'images', key: 'uploads/owner-1/my photo.jpg', eTag: 'e1' });
      const upload = parseUploadKey(object.key);

      const record = processingRecord(object, upload, NOW);

      expect(imageRecordSchema.parse(record)).to.deep.equal({
        imageId: imageIdOf(object, 'uploads/owner-1/my photo.jpg'),
        ownerId: 'owner-1',
        bucket: 'images',
        key: 'uploads/owner-1/my photo.jpg',
        status: 'PROCESSING',
        createdAt: '2025-03-01T12:00:00.000Z',
        updatedAt: '2025-03-01T12:00:00.000Z',
      });
    });
  });

  describe('createProcessingStarter', () => {
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

    it('records an upload and starts one execution, however often its notification is delivered', async () => {
      // Prepare
      const images = createInMemoryImages();
      const workflow = createFakeWorkflow();
      const times = [NOW, new Date('2025-03-01T12:05:00.000Z')];
      const starter = createProcessingStarter({ images, workflow, clock: () => times.shift() ?? NOW });
      const object = createdObject({ key: 'uploads/owner-1/photo.jpg', versionId: 'v1' });

      // Act
      const first = await starter.start(object);
      const replay = await starter.start(object);

      // Assess
      expect(first).to.include({
        record: 'created',
        execution: 'started',
        ownerId: 'owner-1',
        key: 'uploads/owner-1/photo.jpg',
      });
      expect(replay).to.deep.equal({ ...first, record: 'exists', execution: 'exists' });
      expect(images.writes).to.equal(1);
      expect([...images.records.values()]).to.deep.equal([
        {
          imageId: first.imageId,
          ownerId: 'owner-1',
          bucket: 'example-bucket',
          key: 'uploads/owner-1/photo.jpg',
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
          {
            imageId: first.imageId,
            ownerId: 'owner-1',
            bucket: 'example-bucket',
            key: 'uploads/owner-1/photo.jpg',
            versionId: 'v1',
          },
        ],
      ]);
    });

    it('starts the execution a first delivery missed after writing the record', async () => {
      const images = createInMemoryImages();
      const workflow = createFakeWorkflow();
      const starter = createProcessingStarter({ images, workflow, clock: () => NOW });
      const object = createdObject();
      await images.createIfAbsent(processingRecord(object, parseUploadKey('uploads/owner-1/photo.jpg'), NOW));

      const replay = await starter.start(object);

      expect(replay).to.include({ record: 'exists', execution: 'started' });
      expect(workflow.executions.size).to.equal(1);
    });

    it('processes a new version of the same key as a new image', async () => {
      const images = createInMemoryImages();
      const workflow = createFakeWorkflow();
      const starter = createProcessingStarter({ images, workflow, clock: () => NOW });

      await starter.start(createdObject({ versionId: 'v1' }));
      await starter.start(createdObject({ versionId: 'v2' }));

      expect(images.records.size).to.equal(2);
      expect(workflow.executions.size).to.equal(2);
    });

    it('refuses an object outside uploads/ and writes and starts nothing', async () => {
      const images = createInMemoryImages();
      const workflow = createFakeWorkflow();
      const starter = createProcessingStarter({ images, workflow, clock: () => NOW });

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
