import type { ImageFailure, ImageFailureCode, ImageMetadata } from '@serverless-patterns/shared/schemas/api';
import exifr from 'exifr';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { DEFAULT_LIMITS, failureOf, type ProcessingLimits, UnsupportedReason } from './images';

// Loaded only by the steps that decode images (extractMetadata, detectLabels, makeThumbnails): sharp
// is a native module that reaches Lambda through a layer those functions alone have (serverless.yml).
export {
  DEFAULT_LIMITS,
  MAX_INPUT_PIXELS,
  type ProcessingLimits,
  THUMBNAIL_CONTENT_TYPE,
  UnsupportedReason,
} from './images';

// What the workflow does with the bytes of an image, with sharp (libvips) and exifr. Pure: bytes in,
// bytes and values out; the adapters read and write S3.

/**
 * Formats the pipeline processes: every format this build of sharp decodes from a buffer, except
 * 'raw' (headerless pixels, not a file format) and 'svg' (vector documents that may reference other
 * files; this is a photo pipeline). HEIC needs a HEVC decoder that sharp's prebuilt libvips lacks, so a
 * HEIC photo fails the decode check and is UNSUPPORTED with libvips's reason.
 */
export const SUPPORTED_FORMATS: ReadonlySet<string> = new Set(
  Object.values(sharp.format)
    .filter((format) => format.input.buffer && format.id !== 'raw' && format.id !== 'svg')
    .map((format) => format.id),
);

/**
 * A refusal carries its reason (a code and its fixed message, for the record) and, for the logs only,
 * the detail behind it (libvips's own words, the pixel count).
 */
export type Extraction =
  | { supported: true; metadata: ImageMetadata }
  | { supported: false; reason: ImageFailure; detail: string; metadata?: ImageMetadata };

/**
 * Format, dimensions, orientation, size, EXIF and GPS of an image, and whether the pipeline can
 * process it. Every refusal is a value, not an exception: a truncated file or a text file named .jpg
 * is recorded as UNSUPPORTED once, instead of failing the task into retries.
 */
export async function extractMetadata(
  bytes: Uint8Array,
  limits: ProcessingLimits = DEFAULT_LIMITS,
): Promise<Extraction> {
  if (bytes.length === 0) {
    return unsupported(UnsupportedReason.empty, 'The file is empty (0 bytes).');
  }
  let header: Metadata;
  try {
    // Reads the header only: cheap, and safe on a file that claims billions of pixels (sharp's own
    // limit is off here so that the check below can say how many pixels were claimed).
    header = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (error) {
    return unsupported(
      UnsupportedReason.format,
      `The file is not an image that can be read: ${messageOf(error)}.`,
    );
  }
  const { format, width, height } = header;
  if (!SUPPORTED_FORMATS.has(format)) {
    return unsupported(UnsupportedReason.format, `The ${format} format is not processed.`);
  }
  const metadata = buildMetadata(header, bytes.length, await readExif(header.exif));
  const pixels = width * height;
  if (pixels > limits.maxInputPixels) {
    return unsupported(
      UnsupportedReason.pixels,
      `The image is ${width} x ${height} pixels (${pixels.toLocaleString('en-US')}), over the limit of ` +
        `${limits.maxInputPixels.toLocaleString('en-US')}.`,
      metadata,
    );
  }
  try {
    // A full decode (into a tiny image), so that a truncated or corrupt file is found here, once.
    await decoder(bytes, limits).resize(16, 16, { fit: 'inside' }).raw().toBuffer();
  } catch (error) {
    return unsupported(
      UnsupportedReason.undecodable,
      `The image could not be decoded: ${messageOf(error)}.`,
      metadata,
    );
  }
  return { supported: true, metadata };
}

/** The two thumbnails, as WebP: metadata stripped (sharp's default), turned upright by EXIF orientation. */
export interface Thumbnails {
  square: Uint8Array;
  preview: Uint8Array;
}

export const SQUARE_SIZE = 250;
export const PREVIEW_SIZE = 1024;

/**
 * A 250 x 250 square (cover: scaled to fill, centre cropped) and a preview whose longer side is 1024
 * pixels (never enlarged). WebP keeps the alpha channel of a transparent PNG; EXIF, GPS and ICC
 * metadata are not copied to the output (sharp keeps none unless asked with keepMetadata).
 * https://sharp.pixelplumbing.com/api-output#keepmetadata
 */
export async function makeThumbnails(
  bytes: Uint8Array,
  limits: ProcessingLimits = DEFAULT_LIMITS,
): Promise<Thumbnails> {
  const upright = decoder(bytes, limits).autoOrient();
  const [square, preview] = await Promise.all([
    upright.clone().resize(SQUARE_SIZE, SQUARE_SIZE, { fit: 'cover' }).webp({ quality: 80 }).toBuffer(),
    upright
      .clone()
      .resize(PREVIEW_SIZE, PREVIEW_SIZE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer(),
  ]);
  return { square, preview };
}

/**
 * Rekognition DetectLabels takes JPEG or PNG, at most 5 MB as bytes and 15 MB from S3:
 * https://docs.aws.amazon.com/rekognition/latest/dg/limits.html
 * Labels are always detected on a copy made for it: upright, at most 1280 pixels on its longer side,
 * JPEG. One path then serves every format sharp decodes (WebP, GIF, TIFF and AVIF are not accepted by
 * Rekognition) and every size up to the upload limit, and 1280 pixels is above what label detection
 * needs. A copy still over 5 MB (noise compresses badly) is made smaller until it fits.
 */
export const LABEL_IMAGE_MAX_BYTES = 5 * 1024 * 1024;
const LABEL_IMAGE_STEPS = [
  { size: 1280, quality: 80 },
  { size: 1024, quality: 70 },
  { size: 640, quality: 60 },
] as const;

export async function labelImage(
  bytes: Uint8Array,
  limits: ProcessingLimits = DEFAULT_LIMITS,
): Promise<Uint8Array> {
  let copy: Uint8Array = new Uint8Array();
  for (const { size, quality } of LABEL_IMAGE_STEPS) {
    copy = await decoder(bytes, limits)
      .autoOrient()
      .resize(size, size, { fit: 'inside', withoutEnlargement: true })
      // JPEG has no alpha: transparent pixels become white rather than black.
      .flatten({ background: '#ffffff' })
      .jpeg({ quality })
      .toBuffer();
    if (copy.length <= LABEL_IMAGE_MAX_BYTES) return copy;
  }
  return copy;
}

/**
 * failOn 'error' aborts on truncated or corrupt pixel data, but not on the warnings libvips gives for
 * many camera files that decode fine (extraneous bytes before a marker).
 * https://sharp.pixelplumbing.com/api-constructor#parameters
 */
function decoder(bytes: Uint8Array, limits: ProcessingLimits): Sharp {
  return sharp(bytes, { limitInputPixels: limits.maxInputPixels, failOn: 'error' });
}

interface ExifTags {
  Make?: unknown;
  Model?: unknown;
  DateTimeOriginal?: unknown;
  OffsetTimeOriginal?: unknown;
  ExposureTime?: unknown;
  ISO?: unknown;
  GPSLatitude?: unknown;
  GPSLatitudeRef?: unknown;
  GPSLongitude?: unknown;
  GPSLongitudeRef?: unknown;
}

/**
 * sharp hands over the EXIF block of any format it reads (JPEG APP1, PNG eXIf, WebP and AVIF chunks)
 * as "Exif\0\0" followed by a TIFF structure, which exifr parses as a TIFF file. Values are read raw
 * (reviveValues false): dates stay as written, in the camera's local time.
 */
async function readExif(block: Buffer | undefined): Promise<ExifTags | undefined> {
  if (block === undefined || block.length < 8) return undefined;
  const tiff = block.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? block.subarray(6) : block;
  try {
    return ((await exifr.parse(tiff, { reviveValues: false, translateValues: false })) ?? undefined) as
      | ExifTags
      | undefined;
  } catch {
    // Unreadable EXIF does not make the image unreadable: it is processed without.
    return undefined;
  }
}

function buildMetadata(header: Metadata, sizeBytes: number, tags: ExifTags | undefined): ImageMetadata {
  // autoOrient gives the dimensions as displayed (swapped for orientations 5 to 8).
  const { width, height } = header.autoOrient ?? header;
  const orientation = header.orientation;
  const exif = compact({
    make: text(tags?.Make),
    model: text(tags?.Model),
    takenAt: takenAt(tags?.DateTimeOriginal, tags?.OffsetTimeOriginal),
    exposureTime: positive(tags?.ExposureTime),
    iso: positive(Array.isArray(tags?.ISO) ? tags.ISO[0] : tags?.ISO),
  });
  const latitude = coordinate(tags?.GPSLatitude, tags?.GPSLatitudeRef, 'S', 90);
  const longitude = coordinate(tags?.GPSLongitude, tags?.GPSLongitudeRef, 'W', 180);
  return {
    format: header.format,
    width,
    height,
    ...(orientation !== undefined && orientation >= 1 && orientation <= 8 ? { orientation } : {}),
    sizeBytes,
    ...(Object.keys(exif).length > 0 ? { exif } : {}),
    ...(latitude !== undefined && longitude !== undefined ? { gps: { latitude, longitude } } : {}),
  };
}

/** EXIF strings are often padded with spaces or NULs. */
function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL padding is what EXIF writers leave.
  const trimmed = value.replace(/\u0000/g, '').trim();
  return trimmed === '' ? undefined : trimmed.slice(0, 128);
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Decimal degrees from EXIF's degrees, minutes and seconds (rationals) and the hemisphere reference,
 * computed as exiftool does, so that both tools give the same number: each rational to 10 significant
 * digits, then degrees + (minutes + seconds / 60) / 60, printed with 15 significant digits (Perl's
 * %.15g). https://exiftool.org/TagNames/GPS.html
 */
function coordinate(value: unknown, ref: unknown, negativeRef: string, bound: number): number | undefined {
  const parts = (Array.isArray(value) ? value : [value]).map((part) =>
    typeof part === 'number' && Number.isFinite(part) ? Number(part.toPrecision(10)) : Number.NaN,
  );
  const [degrees = Number.NaN, minutes = 0, seconds = 0] = parts;
  const magnitude = Number((degrees + (minutes + seconds / 60) / 60).toPrecision(15));
  if (!Number.isFinite(magnitude) || magnitude > bound || magnitude < -bound) return undefined;
  return typeof ref === 'string' && ref.trim().toUpperCase() === negativeRef ? -magnitude : magnitude;
}

const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const EXIF_OFFSET = /^[+-]\d{2}:\d{2}$/;

/** "2021:06:01 12:34:56" (+ OffsetTimeOriginal "+02:00") -> "2021-06-01T12:34:56+02:00". */
export function takenAt(date: unknown, offset: unknown): string | undefined {
  const match = typeof date === 'string' ? EXIF_DATE.exec(date.trim()) : null;
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second] = match;
  const local = `${year}-${month}-${day}T${hour}:${minute}:${second}`;
  // Cameras write "0000:00:00 00:00:00" when the clock was never set.
  if (Number.isNaN(Date.parse(`${local}Z`))) return undefined;
  const zone = typeof offset === 'string' && EXIF_OFFSET.test(offset.trim()) ? offset.trim() : '';
  return `${local}${zone}`;
}

function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

function unsupported(code: ImageFailureCode, detail: string, metadata?: ImageMetadata): Extraction {
  return { supported: false, reason: failureOf(code), detail, ...(metadata ? { metadata } : {}) };
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().replace(/\.$/, '');
}
