import * as z from 'zod';
import { identifier, isoTimestamp } from '../common';
import { columnSchema, dataFormatSchema, lakeZoneSchema, sensitiveDataClassSchema } from '../events/catalog';

// The catalog service's routes (base path /catalog): search over the catalog, and SQL over the lake.

/** `GET /catalog/search?q=&dataset=&format=&zone=&sensitive=&limit=`: every filter optional. */
export const catalogSearchParametersSchema = z
  .object({
    q: z.string().max(200).optional(),
    dataset: z.string().min(1).max(512).optional(),
    format: dataFormatSchema.optional(),
    zone: lakeZoneSchema.optional(),
    /** A class of personal data, `any` (some class found) or `none` (none found). */
    sensitive: z.union([sensitiveDataClassSchema, z.enum(['any', 'none'])]).optional(),
    limit: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict();
export type CatalogSearchParameters = z.infer<typeof catalogSearchParametersSchema>;

export const catalogMatchSchema = z
  .object({
    key: z.string(),
    zone: lakeZoneSchema,
    dataset: z.string(),
    table: z.string().optional(),
    format: dataFormatSchema,
    compression: z.enum(['gzip', 'none']),
    sizeBytes: z.number().int().nonnegative(),
    partitions: z.record(z.string(), z.string()),
    columns: z.array(z.string()),
    sensitive: z.array(sensitiveDataClassSchema),
    registeredAt: isoTimestamp,
    /** Relevance to `q` (higher is better); 0 when no text was searched. */
    score: z.number().nonnegative(),
  })
  .strict();
export type CatalogMatch = z.infer<typeof catalogMatchSchema>;

/** Counts of every match (not only the page returned) by value, for the portal's filters. */
export const catalogFacetsSchema = z
  .object({
    dataset: z.record(z.string(), z.number().int()),
    format: z.record(z.string(), z.number().int()),
    zone: z.record(z.string(), z.number().int()),
    sensitive: z.record(z.string(), z.number().int()),
  })
  .strict();
export type CatalogFacets = z.infer<typeof catalogFacetsSchema>;

export const catalogSearchResponseSchema = z
  .object({
    total: z.number().int().nonnegative(),
    matches: z.array(catalogMatchSchema),
    facets: catalogFacetsSchema,
  })
  .strict();
export type CatalogSearchResponse = z.infer<typeof catalogSearchResponseSchema>;

/** Long enough for any hand-written query; the request body itself is capped at 64 KiB. */
export const MAX_SQL_LENGTH = 20_000;

/** `POST /catalog/queries`: one read-only SELECT over the lake's tables. */
export const startQueryRequestSchema = z
  .object({ sql: z.string().trim().min(1).max(MAX_SQL_LENGTH) })
  .strict();
export type StartQueryRequest = z.infer<typeof startQueryRequestSchema>;

export const queryStateSchema = z.enum(['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED']);
export type QueryState = z.infer<typeof queryStateSchema>;

/** Why a query failed: a limit (`BYTES_SCANNED_LIMIT_EXCEEDED`...), its SQL, or the service (`INTERNAL`). */
export const queryErrorSchema = z.object({ code: z.string().min(1), message: z.string() }).strict();
export type QueryError = z.infer<typeof queryErrorSchema>;

export const queryLimitsSchema = z
  .object({
    maxBytesScanned: z.number().int().positive(),
    maxRows: z.number().int().positive(),
    timeoutSeconds: z.number().int().positive(),
  })
  .strict();
export type QueryLimits = z.infer<typeof queryLimitsSchema>;

/** A query as `GET /catalog/queries/{queryId}` returns it (and `POST` when it is accepted). */
export const queryViewSchema = z
  .object({
    queryId: identifier,
    status: queryStateSchema,
    sql: z.string(),
    submittedAt: isoTimestamp,
    startedAt: isoTimestamp.optional(),
    finishedAt: isoTimestamp.optional(),
    /** The lake tables it reads, and how many of their partitions its WHERE clause kept. */
    tables: z.array(z.string()).optional(),
    partitionsRead: z.number().int().nonnegative().optional(),
    /** Bytes of the objects the engine read (the selected partitions' files), as Athena bills them. */
    bytesScanned: z.number().int().nonnegative().optional(),
    rowCount: z.number().int().nonnegative().optional(),
    columns: z.array(columnSchema).optional(),
    /** The first rows of the result (every value as JSON: big integers and decimals as strings). */
    rows: z.array(z.array(z.unknown())).optional(),
    /** The whole result, Parquet, under results/<queryId>/; a presigned URL to download it for 5 minutes. */
    resultsKey: z.string().optional(),
    resultsUrl: z.string().url().optional(),
    error: queryErrorSchema.optional(),
    limits: queryLimitsSchema,
  })
  .strict();
export type QueryView = z.infer<typeof queryViewSchema>;
