import { gunzipSync } from 'node:zlib';
import type { JobSpec } from '@serverless-patterns/shared/schemas/events';
import { type CompactionGroup, planCompaction } from './compaction';
import type { JobKind } from './job-steps';

type CompactionJob = Extract<JobSpec, { type: 'compaction' }>;

/** JSON lines to zstd Parquet (DuckDB). */
export interface ParquetWriter {
  fromJsonLines(jsonLines: Uint8Array): Promise<Uint8Array>;
}

/** Whether the catalog has registered an object (the lake's S3 notification did its work). */
export interface RegisteredObjects {
  /** Waits a while for the registration (it follows the write within seconds); false if it never came. */
  waitUntilRegistered(key: string): Promise<boolean>;
}

export interface CompactionPartial {
  target: string;
  sources: string[];
  /** false when the target already existed: the same sources were compacted before. */
  written: boolean;
}

/** Thrown by the reducer while a new file is not registered yet: the state machine retries it. */
export class NotYetRegisteredError extends Error {
  override readonly name = 'NotYetRegisteredError';
}

export function createCompactionJob({
  parquet,
  catalog,
}: {
  parquet: ParquetWriter;
  catalog: RegisteredObjects;
}): JobKind<CompactionJob, CompactionGroup, CompactionPartial> {
  return {
    async plan(job, objects) {
      return planCompaction(await objects.list(job.params.prefix), job.params.targetBytes);
    },

    async map(_job, group, objects) {
      const sources = group.sources.map(({ key }) => key);
      if (await objects.exists(group.target)) return { target: group.target, sources, written: false };
      const parts: Uint8Array[] = [];
      for (const { key } of group.sources) {
        const text = gunzipSync(await objects.read(key));
        parts.push(text);
        // A file whose last line has no newline would join the next file's first line.
        if (text.length > 0 && text[text.length - 1] !== 0x0a) parts.push(Buffer.from('\n'));
      }
      await objects.write(group.target, await parquet.fromJsonLines(Buffer.concat(parts)));
      return { target: group.target, sources, written: true };
    },

    /** Sources go only once every new file is in the catalog; until then the step is retried. */
    async reduce(job, partials, objects) {
      for (const { target } of partials)
        if (!(await catalog.waitUntilRegistered(target)))
          throw new NotYetRegisteredError(`${target} is not registered in the catalog yet`);
      const sources = partials.flatMap((partial) => partial.sources);
      if (job.params.deleteSources) await objects.remove(sources);
      const folder = job.params.prefix.replace(/^[^/]+\//, 'curated/');
      return {
        location: folder,
        summary: {
          files: partials.map(({ target }) => target).sort(),
          written: partials.filter(({ written }) => written).length,
          skipped: partials.filter(({ written }) => !written).length,
          sourcesRemoved: job.params.deleteSources ? sources.length : 0,
        },
      };
    },
  };
}
