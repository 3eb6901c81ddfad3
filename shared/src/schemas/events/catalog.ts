import { z } from 'zod';
import { isoTimestamp } from '../common';

export const dataFormatSchema = z.enum(['jsonl', 'csv', 'parquet', 'unknown']);

export const columnSchema = z
  .object({
    name: z.string().min(1),
    type: z.enum(['string', 'integer', 'double', 'boolean', 'timestamp', 'json']),
  })
  .strict();

/** One object of the data lake as the catalog knows it: where it is, what dataset and partition it belongs to. */
export const catalogEntrySchema = z
  .object({
    bucket: z.string().min(3).max(63),
    key: z.string().min(1).max(1024),
    zone: z.enum(['raw', 'curated', 'backup', 'errors', 'results']),
    dataset: z.string().min(1),
    /** Hive-style partition values taken from the key, e.g. { year: '2026', month: '11' }. */
    partitions: z.record(z.string(), z.string()),
    format: dataFormatSchema,
    compression: z.enum(['gzip', 'none']),
    sizeBytes: z.number().int().nonnegative(),
    etag: z.string().min(1),
    versionId: z.string().optional(),
    schema: z.array(columnSchema).optional(),
    registeredAt: isoTimestamp,
  })
  .strict();
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;
