import * as z from 'zod';
import { identifier, isoTimestamp } from '../common';
import {
  compactionParamsSchema,
  jobTypeSchema,
  mortgageParamsSchema,
  wordCountParamsSchema,
} from '../events/jobs';

// The catalog's batch jobs (base path /catalog, admins only): POST /jobs starts one, GET /jobs/{id}
// follows it.

/**
 * `POST /catalog/jobs`. A caller that names its job (`jobId`) can send the request again safely: the
 * same job is answered and nothing new starts (the execution is named after the job).
 */
export const startJobRequestSchema = z.discriminatedUnion('type', [
  z
    .object({ jobId: identifier.optional(), type: z.literal('word-count'), params: wordCountParamsSchema })
    .strict(),
  z
    .object({
      jobId: identifier.optional(),
      type: z.literal('mortgage'),
      params: mortgageParamsSchema.default(mortgageParamsSchema.parse({})),
    })
    .strict(),
  z
    .object({ jobId: identifier.optional(), type: z.literal('compaction'), params: compactionParamsSchema })
    .strict(),
]);
export type StartJobRequest = z.infer<typeof startJobRequestSchema>;

export const jobStatusSchema = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED']);
export type JobStatus = z.infer<typeof jobStatusSchema>;

/** The Map Run's item counts (one item is one chunk of the input). */
export const jobItemsSchema = z
  .object({
    total: z.number().int().nonnegative(),
    succeeded: z.number().int().nonnegative(),
    failed: z.number().int().nonnegative(),
    running: z.number().int().nonnegative(),
    pending: z.number().int().nonnegative(),
  })
  .strict();
export type JobItems = z.infer<typeof jobItemsSchema>;

export const jobViewSchema = z
  .object({
    jobId: identifier,
    type: jobTypeSchema,
    params: z.record(z.string(), z.unknown()),
    status: jobStatusSchema,
    /** Absent until the splitter has planned the chunks. */
    items: jobItemsSchema.optional(),
    /** The result dataset (s3:// location, in curated/) and what the reducer says of it. */
    result: z
      .object({ location: z.string(), summary: z.record(z.string(), z.unknown()) })
      .strict()
      .optional(),
    error: z.object({ code: z.string(), message: z.string() }).strict().optional(),
    startedAt: isoTimestamp,
    finishedAt: isoTimestamp.optional(),
  })
  .strict();
export type JobView = z.infer<typeof jobViewSchema>;
