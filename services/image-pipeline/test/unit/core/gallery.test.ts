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
import { createFakeBucket, createFakeTable } from '../fakes';

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

function setup(records: ImageRecord[] = []) {
  const objects = createFakeBucket();
  const images = createFakeTable(records);
  return {
    objects,
    images,
    uploads: createUploadPresigner({ objects, bucket: 'images', clock: () => NOW }),
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
        key: 'uploads/owner-1/My-holiday.jpg',
        upload: {
          url: 'https://images.s3.example',
          fields: { key: 'uploads/owner-1/My-holiday.jpg', 'Content-Type': 'image/jpeg' },
        },
        maxBytes: 123_456,
        expiresAt: '2026-11-29T10:05:00.000Z',
      });
      expect(objects.policies).to.deep.equal([
        {
          bucket: 'images',
          key: 'uploads/owner-1/My-holiday.jpg',
          contentType: 'image/jpeg',
          maxBytes: 123_456,
          expiresInSeconds: 300,
        },
      ]);
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
