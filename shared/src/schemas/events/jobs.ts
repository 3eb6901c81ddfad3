import * as z from 'zod';
import { identifier } from '../common';

// The catalog's batch jobs (pattern 2b): what POST /catalog/jobs accepts per job type, and the
// payloads the job state machine passes between its splitter, its mappers and its reducer.

/** A lake prefix to read: under a zone, no "." or ".." segment (the splitter lists it). */
const lakePrefix = z
  .string()
  .min(1)
  .max(512)
  .regex(/^(raw|curated|backup)\/[^\s]*$/, 'must be a prefix under raw/, curated/ or backup/')
  .refine((prefix) => !prefix.split('/').some((s) => s === '.' || s === '..'), 'has no "." or ".." segment');

/** How many mappers run at once (the Map's MaxConcurrencyPath) and how many may fail. */
const parallelism = {
  mappers: z.number().int().min(1).max(10_000).default(2),
  toleratedFailurePercentage: z.number().min(0).max(100).default(0),
};

export const wordCountParamsSchema = z
  .object({
    prefix: lakePrefix,
    /** 1 counts words, 2 pairs of consecutive words, and so on (never across lines or values). */
    ngram: z.number().int().min(1).max(5).default(1),
    /** Bytes of an uncompressed object per chunk; a GZIP object is one chunk. */
    chunkBytes: z
      .number()
      .int()
      .min(64)
      .max(256 * 1024 * 1024)
      .default(8 * 1024 * 1024),
    /** The most frequent grams the result keeps (all of them when absent). */
    top: z.number().int().min(1).max(1_000_000).optional(),
    ...parallelism,
  })
  .strict();
export type WordCountParams = z.infer<typeof wordCountParamsSchema>;

export const mortgageParamsSchema = z
  .object({
    /** The portfolio is generated from its own seed: loans [0, loans) are the same for every job. */
    loans: z.number().int().min(1).max(20_000_000).default(1000),
    portfolioSeed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31)
      .default(1),
    scenarios: z.number().int().min(1).max(10_000).default(50),
    months: z.number().int().min(12).max(480).default(360),
    /** The economic scenarios' seed: the same seed gives the same numbers whatever the chunking. */
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31)
      .default(42),
    loansPerChunk: z.number().int().min(1).max(1_000_000).default(100),
    ...parallelism,
  })
  .strict();
export type MortgageParams = z.infer<typeof mortgageParamsSchema>;

export const compactionParamsSchema = z
  .object({
    /** A dataset (or one of its partitions) under raw/: its GZIP JSON-lines objects are compacted. */
    prefix: z
      .string()
      .min(1)
      .max(512)
      .regex(/^raw\/[^\s]+$/, 'must be a prefix under raw/')
      .refine(
        (prefix) => !prefix.split('/').some((s) => s === '.' || s === '..'),
        'has no "." or ".." segment',
      ),
    /** Source bytes (compressed) per Parquet file. */
    targetBytes: z
      .number()
      .int()
      .min(1)
      .max(1024 * 1024 * 1024)
      .default(128 * 1024 * 1024),
    /** Remove the sources once every new file is registered (false keeps them). */
    deleteSources: z.boolean().default(true),
    ...parallelism,
  })
  .strict();
export type CompactionParams = z.infer<typeof compactionParamsSchema>;

export const jobTypeSchema = z.enum(['word-count', 'mortgage', 'compaction']);
export type JobType = z.infer<typeof jobTypeSchema>;

/** A job as the state machine gets it: validated and with its defaults filled in. */
export const jobSpecSchema = z.discriminatedUnion('type', [
  z.object({ jobId: identifier, type: z.literal('word-count'), params: wordCountParamsSchema }).strict(),
  z.object({ jobId: identifier, type: z.literal('mortgage'), params: mortgageParamsSchema }).strict(),
  z.object({ jobId: identifier, type: z.literal('compaction'), params: compactionParamsSchema }).strict(),
]);
export type JobSpec = z.infer<typeof jobSpecSchema>;

/** The splitter's answer: the item list it wrote to the lake (JSON lines, one chunk a line). */
export const jobPlanSchema = z
  .object({ itemsKey: z.string().min(1), total: z.number().int().nonnegative() })
  .strict();
export type JobPlan = z.infer<typeof jobPlanSchema>;

/** One mapper's batch: the job (ItemBatcher's BatchInput) and its chunks. */
export const jobBatchSchema = z.object({
  BatchInput: z.object({ job: jobSpecSchema }),
  Items: z.array(z.record(z.string(), z.unknown())).min(1),
});
export type JobBatch = z.infer<typeof jobBatchSchema>;

/** What a mapper returns: where it wrote each chunk's partial result. */
export const jobBatchResultSchema = z.object({ partialKeys: z.array(z.string().min(1)) }).strict();
export type JobBatchResult = z.infer<typeof jobBatchResultSchema>;

/** The reducer's input: the job, its plan and the Map's output (ResultWriter's manifest). */
export const jobReduceInputSchema = z.object({
  job: jobSpecSchema,
  plan: jobPlanSchema,
  map: z.object({
    MapRunArn: z.string(),
    ResultWriterDetails: z.object({ Bucket: z.string(), Key: z.string() }),
  }),
});
export type JobReduceInput = z.infer<typeof jobReduceInputSchema>;

/** A failed job as the Catch hands it on: the job and Step Functions' error. */
export const jobFailureInputSchema = z.object({
  job: jobSpecSchema,
  failure: z.object({ Error: z.string(), Cause: z.string().optional() }),
});
export type JobFailureInput = z.infer<typeof jobFailureInputSchema>;
