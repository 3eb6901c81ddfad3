import { gunzipSync } from 'node:zlib';
import type { JobSpec } from '@serverless-patterns/shared/schemas/events';
import type { JobKind } from './job-steps';
import { ownedBytes, planTextChunks, type TextChunk } from './text-chunks';
import { countGrams, countsFromJson, countsToJson, mergeCounts, rankCounts, textsOf } from './word-count';

type WordCountJob = Extract<JobSpec, { type: 'word-count' }>;

/** Read past a chunk's end by this much at a time to finish its last line. */
const LOOKAHEAD_BYTES = 64 * 1024;

/** Word and n-gram counts of the text and JSON-lines objects under a lake prefix. */
export const wordCountJob: JobKind<WordCountJob, TextChunk, Record<string, number>> = {
  async plan(job, objects) {
    return planTextChunks(await objects.list(job.params.prefix), job.params.chunkBytes);
  },

  async map(job, chunk, objects) {
    const content = chunk.gzip
      ? gunzipSync(await objects.read(chunk.key))
      : await ownedLines(chunk, (first, end) => objects.readRange(chunk.key, first, end));
    return countsToJson(
      countGrams(textsOf(new TextDecoder().decode(content), chunk.jsonLines), job.params.ngram),
    );
  },

  async reduce(job, partials, objects) {
    const counts = mergeCounts(partials.map(countsFromJson));
    const ranked = rankCounts(counts, job.params.top);
    const location = `curated/jobs/word-count/job=${job.jobId}/counts.jsonl`;
    await objects.write(
      location,
      ranked.map(({ gram, count }) => `${JSON.stringify({ gram, n: job.params.ngram, count })}\n`).join(''),
    );
    return {
      location,
      // Of the whole input, not only of the grams kept (`top`).
      summary: {
        grams: counts.size,
        kept: ranked.length,
        occurrences: [...counts.values()].reduce((sum, count) => sum + count, 0),
      },
    };
  },
};

/** The chunk's lines: its range from the byte before it, extended until its last line ends. */
async function ownedLines(
  chunk: TextChunk,
  readRange: (first: number, end: number) => Promise<Uint8Array>,
): Promise<Uint8Array> {
  const offset = Math.max(0, chunk.start - 1);
  let bytes = await readRange(offset, Math.min(chunk.sizeBytes, chunk.end + LOOKAHEAD_BYTES));
  for (;;) {
    const owned = ownedBytes(bytes, offset, chunk, chunk.sizeBytes);
    if (owned !== undefined) return owned;
    const more = await readRange(
      offset + bytes.length,
      Math.min(chunk.sizeBytes, offset + bytes.length + LOOKAHEAD_BYTES),
    );
    if (more.length === 0) throw new Error(`${chunk.key} ended before its stated size ${chunk.sizeBytes}`);
    bytes = Buffer.concat([bytes, more]);
  }
}
