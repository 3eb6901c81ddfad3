import { readFileSync } from 'node:fs';
import { imageMetadataSchema } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import sharp from 'sharp';
import {
  type Extraction,
  extractMetadata,
  LABEL_IMAGE_MAX_BYTES,
  labelImage,
  MAX_INPUT_PIXELS,
  makeThumbnails,
  takenAt,
} from '../../../src/core/image-processing';
import { failureOf } from '../../../src/core/images';
import {
  CAMERA_TAGS,
  COFFEE,
  cameraJpeg,
  createFixtureFolder,
  type FixtureFolder,
  meanDifference,
  noisePng,
  orientation6Jpeg,
  pngClaiming,
  readExif,
  transparentPng,
  truncatedJpeg,
  writeExif,
} from '../fixtures';

function supportedMetadata(extraction: Extraction) {
  if (!extraction.supported)
    throw new Error(`expected a supported image, got ${JSON.stringify(extraction.reason)}`);
  return extraction.metadata;
}

/** exiftool's "2021:06:01 12:34:56" and "+10:00" as ISO 8601. */
function isoOf(exifDate: unknown, offset: unknown): string {
  const [date, time] = String(exifDate).split(' ');
  return `${date?.replaceAll(':', '-')}T${time}${offset ?? ''}`;
}

describe('image processing (sharp, exifr)', function () {
  // Real decoding and exiftool runs: slower than pure unit tests.
  this.timeout(30_000);
  let folder: FixtureFolder;

  before(() => {
    folder = createFixtureFolder();
  });

  after(() => folder.remove());

  describe('extractMetadata', () => {
    it('reads make, model, date taken, exposure, ISO and GPS exactly as exiftool does', async () => {
      // Prepare
      const file = await cameraJpeg(folder);
      const reference = readExif(file);

      // Act
      const metadata = supportedMetadata(await extractMetadata(readFileSync(file)));

      // Assess
      expect(reference).to.include({ Make: 'Canon', GPSLatitudeRef: 'S' });
      expect(metadata.exif).to.deep.equal({
        make: reference.Make,
        model: reference.Model,
        takenAt: isoOf(reference.DateTimeOriginal, reference.OffsetTimeOriginal),
        exposureTime: reference.ExposureTime,
        iso: reference.ISO,
      });
      expect(metadata.gps?.latitude).to.equal(reference.GPSLatitude).and.to.be.below(0);
      expect(metadata.gps?.longitude).to.equal(reference.GPSLongitude);
      expect(metadata).to.include({
        format: 'jpeg',
        width: 600,
        height: 400,
        sizeBytes: readFileSync(file).length,
      });
      expect(imageMetadataSchema.safeParse(metadata).success).to.equal(true);
    });

    it('writes a date without an offset as local time when the camera recorded none', async () => {
      const file = await cameraJpeg(folder, ['-Make=Nikon', '-DateTimeOriginal=2019:12:31 23:59:58']);
      const reference = readExif(file);

      const metadata = supportedMetadata(await extractMetadata(readFileSync(file)));

      expect(metadata.exif).to.deep.equal({ make: 'Nikon', takenAt: isoOf(reference.DateTimeOriginal, '') });
      expect(metadata.gps).to.equal(undefined);
    });

    it('reads EXIF written into a PNG (eXIf chunk) as exiftool does', async () => {
      const file = folder.write('exif.png', readFileSync(COFFEE));
      writeExif(file, CAMERA_TAGS);
      const reference = readExif(file);

      const metadata = supportedMetadata(await extractMetadata(readFileSync(file)));

      expect(metadata.format).to.equal('png');
      expect(metadata.exif).to.include({ make: reference.Make, model: reference.Model, iso: reference.ISO });
      expect(metadata.gps).to.deep.equal({
        latitude: reference.GPSLatitude,
        longitude: reference.GPSLongitude,
      });
    });

    it('accepts a real photograph without EXIF (scikit-image coffee, PNG)', async () => {
      const bytes = readFileSync(COFFEE);

      const extraction = await extractMetadata(bytes);

      expect(extraction).to.deep.equal({
        supported: true,
        metadata: { format: 'png', width: 600, height: 400, sizeBytes: bytes.length },
      });
    });

    it('gives the dimensions as displayed for orientation 6, with the orientation', async () => {
      const file = await orientation6Jpeg(folder);

      const metadata = supportedMetadata(await extractMetadata(readFileSync(file)));

      expect((await sharp(file).metadata()).width).to.equal(400);
      expect(metadata).to.include({ width: 600, height: 400, orientation: 6 });
    });

    it('accepts a PNG with an alpha channel', async () => {
      const png = await transparentPng();
      expect(await sharp(png).metadata()).to.include({ channels: 4, hasAlpha: true });

      const metadata = supportedMetadata(await extractMetadata(png));

      expect(metadata).to.include({ format: 'png', width: 600, height: 400 });
    });

    it('records a truncated JPEG as UNSUPPORTED (UndecodableImage), with its metadata', async () => {
      const extraction = await extractMetadata(readFileSync(await truncatedJpeg(folder)));

      expect(extraction.supported).to.equal(false);
      expect(extraction).to.have.deep.nested.property('reason', failureOf('UndecodableImage'));
      // libvips's own words are for the logs: the record gets the code's message only.
      expect(extraction)
        .to.have.nested.property('detail')
        .that.matches(/could not be decoded: .*premature end/i);
      expect(extraction).to.have.nested.property('metadata.format', 'jpeg');
    });

    it('records a text file named .jpg as UNSUPPORTED (UnsupportedFormat)', async () => {
      const file = folder.write('notes.jpg', 'Shopping list: milk, coffee, a thermostat.\n');

      const extraction = await extractMetadata(readFileSync(file));

      expect(extraction).to.deep.equal({
        supported: false,
        reason: failureOf('UnsupportedFormat'),
        detail: 'The file is not an image that can be read: Input buffer contains unsupported image format.',
      });
    });

    it('records a 0-byte file as UNSUPPORTED (EmptyFile)', async () => {
      const extraction = await extractMetadata(new Uint8Array());

      expect(extraction).to.deep.equal({
        supported: false,
        reason: failureOf('EmptyFile'),
        detail: 'The file is empty (0 bytes).',
      });
    });

    it('records an image over the pixel limit as UNSUPPORTED (PixelLimitExceeded) without decoding it', async () => {
      // 20000 x 20000 claimed in a file of a few dozen bytes: decoding it would need 1.2 GB.
      const bomb = await pngClaiming(20_000, 20_000);

      // Only the header check gives this reason and detail: a decode would be refused by sharp's own
      // limit, as undecodable.
      const extraction = await extractMetadata(bomb);

      expect(extraction.supported).to.equal(false);
      expect(extraction).to.have.deep.nested.property('reason', failureOf('PixelLimitExceeded'));
      expect(extraction).to.have.property(
        'detail',
        `The image is 20000 x 20000 pixels (400,000,000), over the limit of ${MAX_INPUT_PIXELS.toLocaleString('en-US')}.`,
      );
    });

    it('applies the limit it is given to real images', async () => {
      const extraction = await extractMetadata(readFileSync(COFFEE), { maxInputPixels: 600 * 400 - 1 });

      expect(extraction).to.have.nested.property('reason.code', 'PixelLimitExceeded');
    });

    it('records an SVG document as UNSUPPORTED although sharp could render it', async () => {
      const svg =
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>';

      const extraction = await extractMetadata(Buffer.from(svg));

      expect(extraction).to.deep.include({
        supported: false,
        reason: failureOf('UnsupportedFormat'),
        detail: 'The svg format is not processed.',
      });
    });
  });

  describe('makeThumbnails', () => {
    it('makes a 250 x 250 square and a preview at most 1024 pixels wide, as WebP without metadata', async () => {
      // Prepare: a 2400 x 1600 JPEG with camera EXIF and GPS.
      const large = await sharp(COFFEE).resize(2400, 1600).jpeg().toBuffer();
      const file = folder.write('large.jpg', large);
      writeExif(file, CAMERA_TAGS);

      // Act
      const thumbnails = await makeThumbnails(readFileSync(file));

      // Assess
      const square = await sharp(thumbnails.square).metadata();
      const preview = await sharp(thumbnails.preview).metadata();
      expect(square).to.include({ format: 'webp', width: 250, height: 250 });
      expect(preview).to.include({ format: 'webp', width: 1024, height: 683 });
      for (const [name, bytes] of Object.entries(thumbnails)) {
        const tags = readExif(folder.write(`${name}.webp`, bytes));
        expect(tags, name).to.not.have.any.keys(
          'Make',
          'Model',
          'GPSLatitude',
          'DateTimeOriginal',
          'Orientation',
        );
      }
    });

    it('never enlarges a small image for the preview', async () => {
      const thumbnails = await makeThumbnails(readFileSync(COFFEE));

      expect(await sharp(thumbnails.preview).metadata()).to.include({ width: 600, height: 400 });
    });

    it('turns an orientation-6 photo upright', async () => {
      // Prepare: the upright reference is the original photograph.
      const file = await orientation6Jpeg(folder);
      const upright = await sharp(COFFEE).webp().toBuffer();

      // Act
      const { preview } = await makeThumbnails(readFileSync(file));

      // Assess: landscape like the original, and its pixels match it (rotated the wrong way, they do not).
      expect(await sharp(preview).metadata()).to.include({ width: 600, height: 400 });
      const upsideDown = await sharp(preview).rotate(180).toBuffer();
      const difference = await meanDifference(preview, upright);
      expect(difference).to.be.below(6);
      expect(await meanDifference(upsideDown, upright)).to.be.above(difference * 4);
    });

    it('keeps the alpha channel of a transparent PNG', async () => {
      const { square, preview } = await makeThumbnails(await transparentPng());

      for (const thumbnail of [square, preview]) {
        const { hasAlpha } = await sharp(thumbnail).metadata();
        const { isOpaque } = await sharp(thumbnail).stats();
        expect({ hasAlpha, isOpaque }).to.deep.equal({ hasAlpha: true, isOpaque: false });
      }
    });
  });

  describe('labelImage', () => {
    it('labels a file over Rekognition limits (15 MB from S3, 5 MB as bytes) from a JPEG copy under 5 MB', async () => {
      // Prepare: 2600 x 2600 random pixels, about 20 MB as PNG.
      const huge = await noisePng(2600, 2600);
      expect(huge.length).to.be.above(15 * 1000 * 1000);

      // Act
      const copy = await labelImage(huge);

      // Assess
      expect(copy.length).to.be.at.most(LABEL_IMAGE_MAX_BYTES);
      expect(await sharp(copy).metadata()).to.include({ format: 'jpeg', width: 1280, height: 1280 });
    });

    it('sends an upright JPEG for an orientation-6 photo, and flattens transparency', async () => {
      const rotated = await sharp(await labelImage(readFileSync(await orientation6Jpeg(folder)))).metadata();
      const flattened = await sharp(await labelImage(await transparentPng())).metadata();

      expect(rotated).to.include({ format: 'jpeg', width: 600, height: 400 });
      expect(flattened).to.include({ format: 'jpeg', hasAlpha: false });
    });
  });

  describe('takenAt', () => {
    it('refuses dates a camera writes when its clock was never set', () => {
      expect(takenAt('0000:00:00 00:00:00', undefined)).to.equal(undefined);
      expect(takenAt('2021:06:01 12:34:56', 'Z')).to.equal('2021-06-01T12:34:56');
      expect(takenAt('2021:06:01 12:34:56', '-05:00')).to.equal('2021-06-01T12:34:56-05:00');
    });
  });
});
