import sharp from 'sharp';
import { MAX_IMAGE_DIMENSION, MIN_IMAGE_DIMENSION } from './detect-labels';
import { imageTooLarge, invalidImageFormat, invalidParameter } from './errors';

/** CenterNet's input is 512 x 512 RGB; it stretches any image to that, so the boxes stay ratios of the original. */
export const DETECTOR_INPUT_SIZE = 512;

export interface DetectorImage {
  /** DETECTOR_INPUT_SIZE² RGB pixels, row by row. */
  pixels: Uint8Array;
  width: number;
  height: number;
}

const SUPPORTED_FORMATS = new Set(['jpeg', 'png']);

/**
 * Checks an image as Rekognition does (JPEG or PNG, whole, 80 to 10,000 pixels a side) and decodes it into the
 * detector's input. EXIF orientation is not applied: Rekognition's boxes refer to the image as stored.
 * https://docs.aws.amazon.com/rekognition/latest/dg/limits.html
 */
export const decodeForDetector = async (bytes: Buffer): Promise<DetectorImage> => {
  if (bytes.length === 0) throw invalidImageFormat();
  const { format, width, height } = await sharp(bytes)
    .metadata()
    .catch((error: unknown) => {
      throw invalidImageFormat(error);
    });
  if (!SUPPORTED_FORMATS.has(format)) throw invalidImageFormat(new Error(`format ${format}`));
  // AWS answers a too-small image with a bare InvalidParameterException (boto/botocore#1366).
  if (width < MIN_IMAGE_DIMENSION || height < MIN_IMAGE_DIMENSION) throw invalidParameter();
  if (width > MAX_IMAGE_DIMENSION || height > MAX_IMAGE_DIMENSION)
    throw imageTooLarge(
      `Input image dimensions ${width} x ${height} exceed maximum dimension size of ${MAX_IMAGE_DIMENSION} pixels`,
    );
  try {
    // failOn 'error': a truncated or corrupt file fails here; libjpeg's mere warnings do not.
    const { data } = await sharp(bytes, { failOn: 'error' })
      .removeAlpha()
      .toColourspace('srgb')
      .resize(DETECTOR_INPUT_SIZE, DETECTOR_INPUT_SIZE, { fit: 'fill' })
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength), width, height };
  } catch (error) {
    throw invalidImageFormat(error);
  }
};
