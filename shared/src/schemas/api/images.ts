import * as z from 'zod';
import { identifier, isoTimestamp } from '../common';

export const imageStatusSchema = z.enum(['PROCESSING', 'READY', 'UNSUPPORTED', 'FAILED']);
export type ImageStatus = z.infer<typeof imageStatusSchema>;

export const imageMetadataSchema = z
  .object({
    /** sharp's name for the decoder: jpeg, png, webp, gif, tiff, heif (AVIF), ... */
    format: z.string().min(1),
    /** As displayed, after the EXIF orientation is applied. */
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    orientation: z.number().int().min(1).max(8).optional(),
    sizeBytes: z.number().int().nonnegative(),
    exif: z
      .object({
        make: z.string().optional(),
        model: z.string().optional(),
        // EXIF dates carry no time zone unless the camera wrote OffsetTimeOriginal: without one, the
        // date is the camera's local time, written without an offset rather than guessed as UTC.
        takenAt: z.iso.datetime({ offset: true, local: true }).optional(),
        exposureTime: z.number().positive().optional(),
        iso: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    gps: z
      .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) })
      .strict()
      .optional(),
  })
  .strict();
export type ImageMetadata = z.infer<typeof imageMetadataSchema>;

export const imageLabelSchema = z
  .object({ name: z.string().min(1), confidence: z.number().min(0).max(100) })
  .strict();
export type ImageLabel = z.infer<typeof imageLabelSchema>;

export const imageThumbnailsSchema = z
  .object({ square: z.string().min(1), preview: z.string().min(1) })
  .strict();
export type ImageThumbnails = z.infer<typeof imageThumbnailsSchema>;

/**
 * Why an image is UNSUPPORTED (the first five: a property of the file, so uploading it again cannot
 * help) or FAILED (the others: processing did not finish; uploading it again later may work).
 */
export const IMAGE_FAILURE_CODES = [
  'EmptyFile',
  'FileTooLarge',
  'UnsupportedFormat',
  'PixelLimitExceeded',
  'UndecodableImage',
  'ProcessingTimedOut',
  'ServiceUnavailable',
  'ProcessingError',
] as const;
export const imageFailureCodeSchema = z.enum(IMAGE_FAILURE_CODES);
export type ImageFailureCode = z.infer<typeof imageFailureCodeSchema>;

/**
 * A code and the fixed message the pipeline gives for it. Never the error text of a step: that may
 * name roles, accounts or internals, and stays in the logs.
 */
export const imageFailureSchema = z
  .object({ code: imageFailureCodeSchema, message: z.string().min(1).max(500) })
  .strict();
export type ImageFailure = z.infer<typeof imageFailureSchema>;

/** The image pipeline's record of one upload, as stored in its table and served by its API. */
export const imageRecordSchema = z
  .object({
    imageId: identifier,
    ownerId: identifier,
    bucket: z.string().min(3).max(63),
    key: z.string().min(1).max(1024),
    /** The S3 version of the original, in a versioned bucket: later uploads to the same key are other images. */
    versionId: z.string().min(1).optional(),
    status: imageStatusSchema,
    metadata: imageMetadataSchema.optional(),
    labels: z.array(imageLabelSchema).optional(),
    thumbnails: imageThumbnailsSchema.optional(),
    failure: imageFailureSchema.optional(),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
  })
  .strict();
export type ImageRecord = z.infer<typeof imageRecordSchema>;

// The image pipeline's HTTP API (base path /images), shared with the portal.

/** Content types a presigned upload accepts; the workflow still decides from the bytes, not the type. */
export const UPLOAD_CONTENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/tiff',
] as const;

/** The largest upload a presigned POST allows (25 MiB): above Rekognition's 15 MB S3 limit on purpose. */
export const MAX_UPLOAD_BYTES = 25 * 1024 * 1024;

/** POST /images/uploads */
export const createUploadRequestSchema = z
  .object({
    fileName: z.string().trim().min(1).max(255),
    contentType: z.enum(UPLOAD_CONTENT_TYPES),
    sizeBytes: z.number().int().min(1).max(MAX_UPLOAD_BYTES),
  })
  .strict();
export type CreateUploadRequest = z.infer<typeof createUploadRequestSchema>;

/** A person's uploads of the current day (UTC), counted when a presigned POST is issued. */
export const uploadQuotaSchema = z
  .object({
    limit: z.number().int().nonnegative(),
    remaining: z.number().int().nonnegative(),
    resetsAt: isoTimestamp,
  })
  .strict();
export type UploadQuota = z.infer<typeof uploadQuotaSchema>;

export const createUploadResponseSchema = z
  .object({
    /** uploads/<ownerId>/<uploadId>/<file name>: every upload has a key of its own. */
    key: z.string().min(1),
    upload: z.object({ url: z.string().min(1), fields: z.record(z.string(), z.string()) }).strict(),
    maxBytes: z.number().int().positive(),
    expiresAt: isoTimestamp,
    quota: uploadQuotaSchema,
  })
  .strict();
export type CreateUploadResponse = z.infer<typeof createUploadResponseSchema>;

/** An image as the API serves it: the record plus presigned GET URLs (valid for minutes). */
export const imageViewSchema = imageRecordSchema.extend({
  urls: z
    .object({
      square: z.string().optional(),
      preview: z.string().optional(),
      original: z.string().optional(),
    })
    .strict()
    .optional(),
});
export type ImageView = z.infer<typeof imageViewSchema>;

/** GET /images */
export const listImagesResponseSchema = z
  .object({ images: z.array(imageViewSchema), nextToken: z.string().min(1).optional() })
  .strict();
export type ListImagesResponse = z.infer<typeof listImagesResponseSchema>;
