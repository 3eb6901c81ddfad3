import { expect } from 'chai';
import {
  createUploadRequestSchema,
  imageMetadataSchema,
  imageViewSchema,
  MAX_UPLOAD_BYTES,
} from '../../src/schemas/api';
import { exampleImageMetadata, exampleImageRecord } from './schema-examples';

describe('image schemas', () => {
  it('accepts a date taken without an offset (EXIF without OffsetTimeOriginal is camera-local time)', () => {
    const metadata = exampleImageMetadata({ exif: { takenAt: '2021-06-01T12:34:56' } });

    expect(imageMetadataSchema.safeParse(metadata).success).to.equal(true);
  });

  it('accepts an upload request and refuses unknown fields, other types and sizes over the limit', () => {
    const request = { fileName: 'beach.jpg', contentType: 'image/jpeg', sizeBytes: 1024 };

    expect(createUploadRequestSchema.parse(request)).to.deep.equal(request);
    expect(createUploadRequestSchema.safeParse({ ...request, acl: 'public-read' }).success).to.equal(false);
    expect(
      createUploadRequestSchema.safeParse({ ...request, contentType: 'image/svg+xml' }).success,
    ).to.equal(false);
    expect(
      createUploadRequestSchema.safeParse({ ...request, sizeBytes: MAX_UPLOAD_BYTES + 1 }).success,
    ).to.equal(false);
  });

  it('serves a record with presigned URLs as an image view, and no other extra field', () => {
    const view = {
      ...exampleImageRecord({ versionId: 'v1' }),
      urls: { square: 'https://s', preview: 'https://p' },
    };

    expect(imageViewSchema.parse(view)).to.deep.equal(view);
    expect(imageViewSchema.safeParse({ ...view, urls: { thumbnail: 'https://t' } }).success).to.equal(false);
  });
});
