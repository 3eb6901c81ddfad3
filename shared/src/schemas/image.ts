import { z } from 'zod';
import { identifier, isoTimestamp } from './common';

export const imageStatusSchema = z.enum(['PROCESSING', 'READY', 'UNSUPPORTED', 'FAILED']);
export type ImageStatus = z.infer<typeof imageStatusSchema>;

export const imageMetadataSchema = z
  .object({
    format: z.string().min(1),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    orientation: z.number().int().min(1).max(8).optional(),
    sizeBytes: z.number().int().nonnegative(),
    exif: z
      .object({
        make: z.string().optional(),
        model: z.string().optional(),
        takenAt: isoTimestamp.optional(),
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

/** The image pipeline's record of one upload, as stored in its table and served by its API. */
export const imageRecordSchema = z
  .object({
    imageId: identifier,
    ownerId: identifier,
    bucket: z.string().min(3).max(63),
    key: z.string().min(1).max(1024),
    status: imageStatusSchema,
    metadata: imageMetadataSchema.optional(),
    labels: z.array(imageLabelSchema).optional(),
    thumbnails: z
      .object({ square: z.string().min(1), preview: z.string().min(1) })
      .strict()
      .optional(),
    failure: z.object({ error: z.string(), cause: z.string() }).strict().optional(),
    createdAt: isoTimestamp,
    updatedAt: isoTimestamp,
  })
  .strict();
export type ImageRecord = z.infer<typeof imageRecordSchema>;
