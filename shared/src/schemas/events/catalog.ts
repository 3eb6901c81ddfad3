import * as z from 'zod';
import { isoTimestamp } from '../common';

export const lakeZoneSchema = z.enum(['raw', 'curated', 'backup', 'errors', 'results']);
export type LakeZone = z.infer<typeof lakeZoneSchema>;

/** What an object's content is, read from its bytes (magic numbers, first lines), not only its name. */
export const dataFormatSchema = z.enum(['jsonl', 'csv', 'parquet', 'unknown']);
export type DataFormat = z.infer<typeof dataFormatSchema>;

const HIVE_SCALAR_TYPES = new Set([
  'string',
  'varchar',
  'char',
  'boolean',
  'tinyint',
  'smallint',
  'int',
  'bigint',
  'float',
  'double',
  'date',
  'timestamp',
  'binary',
]);

/**
 * A column type as the Glue Data Catalog (a Hive metastore) writes it, so that Athena and any Hive
 * client read it: `bigint`, `decimal(18,2)`, `array<string>`, `struct<a:int,b:string>`.
 * https://docs.aws.amazon.com/athena/latest/ug/data-types.html
 */
export const hiveTypeSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine(
    isHiveType,
    'must be a Hive type (string, bigint, decimal(p,s), array<...>, struct<...>, map<...>)',
  );

function isHiveType(type: string): boolean {
  const complex = /^(array|map|struct)<(.+)>$/.exec(type);
  if (complex !== null) return /^[a-z0-9_<>,:()` ]+$/i.test(complex[2] ?? '');
  if (/^decimal\(\d{1,2},\d{1,2}\)$/.test(type) || /^(varchar|char)\(\d{1,5}\)$/.test(type)) return true;
  return HIVE_SCALAR_TYPES.has(type);
}

export const columnSchema = z.object({ name: z.string().min(1).max(255), type: hiveTypeSchema }).strict();
export type Column = z.infer<typeof columnSchema>;

/** The kinds of personal data the catalog looks for in every new object (Macie's job, in small). */
export const sensitiveDataClassSchema = z.enum(['email', 'phone', 'payment-card', 'ip-address']);
export type SensitiveDataClass = z.infer<typeof sensitiveDataClassSchema>;

/** One object of the data lake as the catalog knows it: where it is, what dataset and partition it belongs to. */
export const catalogEntrySchema = z
  .object({
    bucket: z.string().min(3).max(63),
    key: z.string().min(1).max(1024),
    zone: lakeZoneSchema,
    dataset: z.string().min(1),
    /** Hive-style partition values taken from the key, e.g. { year: '2026', month: '11' }. */
    partitions: z.record(z.string(), z.string()),
    format: dataFormatSchema,
    compression: z.enum(['gzip', 'none']),
    sizeBytes: z.number().int().nonnegative(),
    etag: z.string().min(1),
    versionId: z.string().optional(),
    /** Inferred on read from a sample of the content (Parquet: from its footer). */
    schema: z.array(columnSchema).optional(),
    /** Kinds of personal data found in the sampled content; empty when none was found. */
    sensitive: z.array(sensitiveDataClassSchema).optional(),
    /** The SQL (Glue) table of the object's dataset, when its dataset is queryable. */
    table: z.string().min(1).max(255).optional(),
    registeredAt: isoTimestamp,
  })
  .strict();
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;
