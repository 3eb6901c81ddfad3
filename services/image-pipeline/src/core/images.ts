import {
  type ImageFailure,
  type ImageFailureCode,
  type ImageThumbnails,
  imageRecordSchema,
  MAX_UPLOAD_BYTES,
} from '@serverless-patterns/shared/schemas/api';
import * as z from 'zod';

// What the routes and every workflow step share about images, without loading sharp (a native module
// only the decoding steps have, through their layer): limits, reason codes, where thumbnails live.

/**
 * What the upload trigger hands the processing workflow (the input of its Step Functions execution):
 * which object version to process, and the record it belongs to. Other fields of the state pass through
 * the steps untouched, so they are not refused here.
 */
export const imageJobSchema = z.object(
  imageRecordSchema.pick({ imageId: true, ownerId: true, bucket: true, key: true, versionId: true }).shape,
);
export type ImageJob = z.infer<typeof imageJobSchema>;

/** One object version in S3. */
export interface ObjectRef {
  bucket: string;
  key: string;
  versionId?: string | undefined;
}

/**
 * sharp's pixel limit (width x height) for every decode. 100 megapixels covers every phone and most
 * cameras (a 50 MP sensor is 8192 x 6144) and bounds the memory one decode can take (100 MP of RGBA is
 * 400 MB) within the decoding functions' 1 to 1.5 GB. sharp's own default is 268 MP (0x3FFF x 0x3FFF); a crafted header can
 * claim far more than the file holds, which is why the limit is checked on the header before decoding.
 * https://sharp.pixelplumbing.com/api-constructor#parameters
 */
export const MAX_INPUT_PIXELS = 100_000_000;

export interface ProcessingLimits {
  maxInputPixels: number;
}

export const DEFAULT_LIMITS: ProcessingLimits = { maxInputPixels: MAX_INPUT_PIXELS };

/** Reason codes of UNSUPPORTED images: a property of the file, so retrying cannot help. */
export const UnsupportedReason = {
  empty: 'EmptyFile',
  tooLarge: 'FileTooLarge',
  format: 'UnsupportedFormat',
  pixels: 'PixelLimitExceeded',
  undecodable: 'UndecodableImage',
} as const satisfies Record<string, ImageFailureCode>;

const megabytes = (bytes: number) => `${bytes / 1024 / 1024} MiB`;

/**
 * The one message of each failure code. A record says what happened in these words only: the error a
 * step met (libvips's text, an SDK error naming a role ARN and the account) goes to the logs, never
 * to the API.
 */
export const FAILURE_MESSAGES: Readonly<Record<ImageFailureCode, string>> = {
  EmptyFile: 'The file is empty.',
  FileTooLarge: `The file is larger than ${megabytes(MAX_UPLOAD_BYTES)}, the largest image processed.`,
  UnsupportedFormat:
    'The file is not an image in a format that is processed (JPEG, PNG, WebP, GIF, TIFF or AVIF).',
  PixelLimitExceeded: `The image has more than ${MAX_INPUT_PIXELS / 1_000_000} megapixels, the most that is processed.`,
  UndecodableImage: 'The image is damaged or incomplete: it could not be decoded.',
  ProcessingTimedOut: 'Processing the image took too long. Upload it again to retry.',
  ServiceUnavailable: 'A service that processing relies on was unavailable. Upload the image again later.',
  ProcessingError: 'The image could not be processed because of an error on our side. Upload it again later.',
};

export function failureOf(code: ImageFailureCode): ImageFailure {
  return { code, message: FAILURE_MESSAGES[code] };
}

export const THUMBNAIL_CONTENT_TYPE = 'image/webp';

export function thumbnailKeys(ownerId: string, imageId: string): ImageThumbnails {
  return {
    square: `thumbnails/${ownerId}/${imageId}/square.webp`,
    preview: `thumbnails/${ownerId}/${imageId}/preview.webp`,
  };
}
