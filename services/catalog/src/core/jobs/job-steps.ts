import type { JobPlan, JobSpec } from '@serverless-patterns/shared/schemas/events';
import type { JobStore } from './job-runner';

// The three steps every job's state machine runs: the splitter plans the chunks and writes them as
// JSON lines (the distributed Map's ItemReader reads them), each mapper turns its chunks into partial
// results in the lake, and the reducer merges the partials of the chunks that succeeded into a
// dataset in curated/ (the lake's S3 notification registers it in the catalog and in Glue).

/** The lake bucket as jobs use it. */
export interface JobObjects {
  list(prefix: string): Promise<{ key: string; sizeBytes: number; etag: string }[]>;
  read(key: string): Promise<Uint8Array>;
  /** Bytes [first, end) of the object (fewer at its end). */
  readRange(key: string, first: number, end: number): Promise<Uint8Array>;
  write(key: string, body: string | Uint8Array): Promise<void>;
  exists(key: string): Promise<boolean>;
  remove(keys: readonly string[]): Promise<void>;
}

/** What a job type does in each step; `Item` is one chunk, `Partial` what its mapper writes. */
export interface JobKind<Spec extends JobSpec, Item extends { chunk: number }, Partial> {
  plan(job: Spec, objects: JobObjects): Promise<Item[]>;
  map(job: Spec, item: Item, objects: JobObjects): Promise<Partial>;
  /** Writes the dataset; its location and a summary for the job's record. */
  reduce(
    job: Spec,
    partials: Partial[],
    objects: JobObjects,
  ): Promise<{ location: string; summary: Record<string, unknown> }>;
}

export const jobFolder = (jobId: string) => `jobs/${jobId}`;
const partialKey = (jobId: string, chunk: number) =>
  `${jobFolder(jobId)}/partials/${String(chunk).padStart(6, '0')}.json`;

/** ResultWriter's manifest (the parts the reducer reads). https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html */
interface Manifest {
  ResultFiles?: { SUCCEEDED?: { Key: string }[]; FAILED?: { Key: string }[]; PENDING?: { Key: string }[] };
}

export class JobInputError extends Error {
  override readonly name = 'JobInputError';
}

export function createJobSteps({
  kinds,
  objects,
  jobs,
  clock,
  bucket,
}: {
  // biome-ignore lint/suspicious/noExplicitAny: each kind narrows its own spec, items and partials.
  kinds: { [T in JobSpec['type']]: JobKind<Extract<JobSpec, { type: T }>, any, any> };
  objects: JobObjects;
  jobs: JobStore;
  clock: () => Date;
  bucket: string;
}) {
  const kindOf = (job: JobSpec) => kinds[job.type] as JobKind<JobSpec, { chunk: number }, unknown>;
  return {
    /** The splitter. Planning again writes the same items (a retried step changes nothing). */
    async plan(job: JobSpec): Promise<JobPlan> {
      const items = await kindOf(job).plan(job, objects);
      if (items.length === 0) throw new JobInputError(`job ${job.jobId} has nothing to process`);
      const itemsKey = `${jobFolder(job.jobId)}/items.jsonl`;
      await objects.write(itemsKey, items.map((item) => `${JSON.stringify(item)}\n`).join(''));
      return { itemsKey, total: items.length };
    },

    /** A mapper: each chunk's partial result to the lake, named after the chunk (a retry overwrites it). */
    async map(job: JobSpec, items: Record<string, unknown>[]): Promise<{ partialKeys: string[] }> {
      const partialKeys: string[] = [];
      for (const item of items) {
        const chunk = item as { chunk: number };
        const partial = await kindOf(job).map(job, chunk, objects);
        const key = partialKey(job.jobId, chunk.chunk);
        await objects.write(key, JSON.stringify(partial));
        partialKeys.push(key);
      }
      return { partialKeys };
    },

    /**
     * The reducer: the partials named by the children that succeeded (ResultWriter's SUCCEEDED files),
     * merged into the dataset, then the job's record.
     */
    async reduce(job: JobSpec, plan: JobPlan, manifestKey: string): Promise<{ location: string }> {
      const manifest = JSON.parse(new TextDecoder().decode(await objects.read(manifestKey))) as Manifest;
      const keys: string[] = [];
      for (const { Key } of manifest.ResultFiles?.SUCCEEDED ?? []) {
        const children = JSON.parse(new TextDecoder().decode(await objects.read(Key))) as {
          Output?: string;
        }[];
        for (const child of children)
          keys.push(...((JSON.parse(child.Output ?? '{}') as { partialKeys?: string[] }).partialKeys ?? []));
      }
      const partials = [];
      for (const key of [...new Set(keys)].sort())
        partials.push(JSON.parse(new TextDecoder().decode(await objects.read(key))));
      const { location, summary } = await kindOf(job).reduce(job, partials, objects);
      const failedChunks = plan.total - partials.length;
      await jobs.update(job.jobId, {
        status: 'SUCCEEDED',
        result: {
          location: `s3://${bucket}/${location}`,
          summary: { ...summary, chunks: plan.total, failedChunks },
        },
        finishedAt: clock().toISOString(),
      });
      return { location };
    },
  };
}
