import { ValidationError } from '@serverless-patterns/shared/errors';
import { type ImageRecord, imageRecordSchema } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import {
  type CreatedObject,
  createdObjectsOf,
  createProcessingStarter,
  decodeEventKey,
  type ImageStore,
  imageIdOf,
  parseUploadKey,
  processingRecord,
  type Workflow,
} from '../../../src/core/uploads';
import { createS3PutEvent } from '../factories';

const NOW = new Date('2025-03-01T12:00:00.000Z');

function onlyObjectOf(...args: Parameters<typeof createS3PutEvent>): CreatedObject {
  const [object, ...rest] = createdObjectsOf(createS3PutEvent(...args));
  if (object === undefined || rest.length > 0) throw new Error('expected exactly one object in the event');
  return object;
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
  describe('createdObjectsOf', () => {
    it('reads bucket, key, ETag and version id from each record of an S3 notification', () => {
      const event = createS3PutEvent(
        { bucket: 'images', key: 'uploads/a/one.jpg', eTag: 'e1', versionId: 'v1' },
        { bucket: 'images', key: 'uploads/b/two.jpg', eTag: 'e2' },
      );

      expect(createdObjectsOf(event)).to.deep.equal([
        { bucket: 'images', eventKey: 'uploads/a/one.jpg', eTag: 'e1', versionId: 'v1' },
        { bucket: 'images', eventKey: 'uploads/b/two.jpg', eTag: 'e2', versionId: undefined },
      ]);
    });
  });

  describe('decodeEventKey', () => {
    it("turns '+' into spaces and percent escapes into characters", () => {
      expect(decodeEventKey('uploads/owner-1/summer+holiday+%282024%29.jpg')).to.equal(
        'uploads/owner-1/summer holiday (2024).jpg',
      );
    });

    it("keeps an encoded '+' and decodes an encoded '/' and UTF-8", () => {
      expect(decodeEventKey('uploads/owner-1/a%2Bb%2Fc-%C3%A9t%C3%A9.png')).to.equal(
        'uploads/owner-1/a+b/c-été.png',
      );
    });

    it('refuses a malformed escape with a ValidationError naming the key', () => {
      expect(() => decodeEventKey('uploads/owner-1/100%.jpg')).to.throw(
        ValidationError,
        'Object key "uploads/owner-1/100%.jpg" is not a valid URL-encoded key',
      );
    });
  });

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
      expect(() => parseUploadKey(decodeEventKey('uploads/owner-1%2Fnested%2Fphoto.jpg'))).to.throw(
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
      const object = onlyObjectOf({ bucket: 'images', key: 'uploads/owner-1/my+photo.jpg', eTag: 'e1' });
      const upload = parseUploadKey(decodeEventKey(object.eventKey));

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
      const object = onlyObjectOf({ key: 'uploads/owner-1/photo.jpg', versionId: 'v1' });

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
      const object = onlyObjectOf();
      await images.createIfAbsent(processingRecord(object, parseUploadKey('uploads/owner-1/photo.jpg'), NOW));

      const replay = await starter.start(object);

      expect(replay).to.include({ record: 'exists', execution: 'started' });
      expect(workflow.executions.size).to.equal(1);
    });

    it('processes a new version of the same key as a new image', async () => {
      const images = createInMemoryImages();
      const workflow = createFakeWorkflow();
      const starter = createProcessingStarter({ images, workflow, clock: () => NOW });

      await starter.start(onlyObjectOf({ versionId: 'v1' }));
      await starter.start(onlyObjectOf({ versionId: 'v2' }));

      expect(images.records.size).to.equal(2);
      expect(workflow.executions.size).to.equal(2);
    });

    it('refuses an object outside uploads/ and writes and starts nothing', async () => {
      const images = createInMemoryImages();
      const workflow = createFakeWorkflow();
      const starter = createProcessingStarter({ images, workflow, clock: () => NOW });

      let error: unknown;
      try {
        await starter.start(onlyObjectOf({ key: 'test/key' }));
      } catch (caught) {
        error = caught;
      }

      expect(error).to.be.instanceOf(ValidationError).with.property('message').that.contains('test/key');
      expect(images.records.size).to.equal(0);
      expect(workflow.starts).to.equal(0);
    });
  });
});
