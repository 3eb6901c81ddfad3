import { NotFoundError, ValidationError } from '@serverless-patterns/shared/errors';
import { type ImageRecord, imageViewSchema } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import {
  createGallery,
  createUploadPresigner,
  decodePageToken,
  encodePageToken,
  safeFileName,
} from '../../../src/core/gallery';
import { createUploadQuota, UploadQuotaExceededError } from '../../../src/core/upload-quota';
import { createFakeBucket, createFakeCounter, createFakeTable } from '../fakes';

const NOW = new Date('2026-11-29T10:00:00.000Z');

function record(
  imageId: string,
  ownerId: string,
  createdAt: string,
  extra: Partial<ImageRecord> = {},
): ImageRecord {
  return {
    imageId,
    ownerId,
    bucket: 'images',
    key: `uploads/${ownerId}/${imageId}.jpg`,
    status: 'READY',
    thumbnails: {
      square: `thumbnails/${ownerId}/${imageId}/square.webp`,
      preview: `thumbnails/${ownerId}/${imageId}/preview.webp`,
    },
    createdAt,
    updatedAt: createdAt,
    ...extra,
  };
}

function setup(records: ImageRecord[] = [], dailyLimit = 100) {
  const objects = createFakeBucket();
  const images = createFakeTable(records);
  const counter = createFakeCounter();
  let uploadIds = 0;
  return {
    objects,
    images,
    counter,
    uploads: createUploadPresigner({
      objects,
      quota: createUploadQuota({ counter, dailyLimit }),
      bucket: 'images',
      clock: () => NOW,
      newUploadId: () => `upload-${++uploadIds}`,
    }),
    gallery: createGallery({ images, objects }),
  };
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe('gallery', () => {
  describe('safeFileName', () => {
    for (const [name, safe] of [
      ['Été à Paris (1).JPG', 'Ete-a-Paris-1-.JPG'],
      ['../../etc/passwd', 'etc-passwd'],
      ['photo.jpg', 'photo.jpg'],
      ['%%%', 'image'],
      [`${'a'.repeat(150)}.jpeg`, `${'a'.repeat(95)}.jpeg`],
    ] as const) {
      it(`turns ${JSON.stringify(name.slice(0, 30))} into ${JSON.stringify(safe.slice(0, 30))}`, () => {
        expect(safeFileName(name)).to.equal(safe);
      });
    }
  });

  describe('createUpload', () => {
    it('presigns a POST for the caller’s uploads/ prefix, this content type and at most the declared size', async () => {
      const { objects, uploads } = setup();

      const response = await uploads.createUpload('owner-1', {
        fileName: 'My holiday.jpg',
        contentType: 'image/jpeg',
        sizeBytes: 123_456,
      });

      expect(response).to.deep.equal({
        key: 'uploads/owner-1/upload-1/My-holiday.jpg',
        upload: {
          url: 'https://images.s3.example',
          fields: { key: 'uploads/owner-1/upload-1/My-holiday.jpg', 'Content-Type': 'image/jpeg' },
        },
        maxBytes: 123_456,
        expiresAt: '2026-11-29T10:05:00.000Z',
        quota: { limit: 100, remaining: 99, resetsAt: '2026-11-30T00:00:00.000Z' },
      });
      expect(objects.policies).to.deep.equal([
        {
          bucket: 'images',
          key: 'uploads/owner-1/upload-1/My-holiday.jpg',
          contentType: 'image/jpeg',
          maxBytes: 123_456,
          expiresInSeconds: 300,
        },
      ]);
    });

    it('gives two uploads of the same file name two keys: the second never replaces the first', async () => {
      const { objects, uploads } = setup();
      const request = { fileName: 'photo.jpg', contentType: 'image/jpeg', sizeBytes: 1000 } as const;

      const first = await uploads.createUpload('owner-1', request);
      const second = await uploads.createUpload('owner-1', request);

      expect([first.key, second.key]).to.deep.equal([
        'uploads/owner-1/upload-1/photo.jpg',
        'uploads/owner-1/upload-2/photo.jpg',
      ]);
      expect(objects.policies.map((policy) => policy.key)).to.deep.equal([first.key, second.key]);
    });

    it('refuses an upload over the day’s quota with a 429 that says when it resets, and presigns nothing', async () => {
      const { objects, uploads } = setup([], 2);
      const request = { fileName: 'photo.jpg', contentType: 'image/jpeg', sizeBytes: 1000 } as const;
      await uploads.createUpload('owner-1', request);
      const last = await uploads.createUpload('owner-1', request);

      const error = await rejectionOf(uploads.createUpload('owner-1', request));

      expect(last.quota).to.deep.equal({ limit: 2, remaining: 0, resetsAt: '2026-11-30T00:00:00.000Z' });
      expect(error).to.be.instanceOf(UploadQuotaExceededError).and.include({
        code: 'TOO_MANY_REQUESTS',
        message: "You have reached today's limit of 2 uploads. It resets at midnight UTC, in 14 h 0 min.",
      });
      expect(error).to.have.deep.property('details', { limit: 2, resetsAt: '2026-11-30T00:00:00.000Z' });
      expect(objects.policies).to.have.length(2);
      // Another person's quota is their own.
      expect((await uploads.createUpload('owner-2', request)).quota.remaining).to.equal(1);
    });
  });

  describe('list', () => {
    it('pages through the caller’s images newest first, with thumbnail URLs only', async () => {
      const { gallery } = setup([
        record('a', 'owner-1', '2026-11-01T00:00:00.000Z'),
        record('b', 'owner-1', '2026-11-03T00:00:00.000Z'),
        record('c', 'owner-1', '2026-11-02T00:00:00.000Z'),
        record('x', 'owner-2', '2026-11-04T00:00:00.000Z'),
      ]);

      const first = await gallery.list('owner-1', { limit: 2 });
      const second = await gallery.list('owner-1', { limit: 2, nextToken: first.nextToken });

      expect(first.images.map((image) => image.imageId)).to.deep.equal(['b', 'c']);
      expect(second.images.map((image) => image.imageId)).to.deep.equal(['a']);
      expect(second.nextToken).to.equal(undefined);
      expect(first.images[0]?.urls).to.have.all.keys('square', 'preview');
      for (const image of first.images) expect(imageViewSchema.safeParse(image).success).to.equal(true);
    });

    it('refuses a token that is not the caller’s with a 400', async () => {
      const { gallery } = setup();
      const token = encodePageToken({
        imageId: 'x',
        ownerId: 'owner-2',
        createdAt: '2026-11-04T00:00:00.000Z',
      });

      const error = await rejectionOf(gallery.list('owner-1', { limit: 10, nextToken: token }));

      expect(error).to.be.instanceOf(ValidationError);
      expect(() => decodePageToken('not-base64-json', 'owner-1')).to.throw(ValidationError);
    });
  });

  describe('get', () => {
    it('gives the caller’s image with URLs for the thumbnails and the original version', async () => {
      const { gallery } = setup([record('a', 'owner-1', '2026-11-01T00:00:00.000Z', { versionId: 'v1' })]);

      const { image } = await gallery.get('owner-1', 'a');

      expect(image.urls).to.have.all.keys('square', 'preview', 'original');
      expect(image.urls?.original).to.contain('uploads/owner-1/a.jpg?versionId=v1&expires=300');
    });

    it('answers another owner’s image exactly like a missing one (404)', async () => {
      const { gallery } = setup([record('a', 'owner-1', '2026-11-01T00:00:00.000Z')]);

      const others = await rejectionOf(gallery.get('owner-2', 'a'));
      const missing = await rejectionOf(gallery.get('owner-2', 'nope'));

      expect(others).to.be.instanceOf(NotFoundError);
      expect(missing).to.be.instanceOf(NotFoundError);
      expect((others as Error).message).to.equal((missing as Error).message);
    });
  });

  describe('delete', () => {
    it('removes the original version, the thumbnails and the record', async () => {
      const { gallery, objects, images } = setup([
        record('a', 'owner-1', '2026-11-01T00:00:00.000Z', { versionId: 'v1' }),
      ]);

      await gallery.delete('owner-1', 'a');

      expect(objects.deleted).to.deep.equal([
        { bucket: 'images', key: 'uploads/owner-1/a.jpg', versionId: 'v1' },
        { bucket: 'images', key: 'thumbnails/owner-1/a/square.webp' },
        { bucket: 'images', key: 'thumbnails/owner-1/a/preview.webp' },
      ]);
      expect(images.items.size).to.equal(0);
    });

    it('refuses another owner’s image with a 404 and deletes nothing', async () => {
      const { gallery, objects, images } = setup([record('a', 'owner-1', '2026-11-01T00:00:00.000Z')]);

      const error = await rejectionOf(gallery.delete('owner-2', 'a'));

      expect(error).to.be.instanceOf(NotFoundError);
      expect(objects.deleted).to.deep.equal([]);
      expect(images.items.size).to.equal(1);
    });
  });
});
