import { expect } from 'chai';
import fc from 'fast-check';
import { ownedBytes, planTextChunks } from '../../../../src/core/jobs/text-chunks';
import { countGrams, mergeCounts, rankCounts, textsOf, wordsOf } from '../../../../src/core/jobs/word-count';

/** A mapper's read: from the byte before its range, `extra` bytes past it, further while a line is cut. */
function readChunk(object: Uint8Array, range: { start: number; end: number }, extra: number): Uint8Array {
  const offset = Math.max(0, range.start - 1);
  for (let until = range.end + extra; ; until += Math.max(1, extra)) {
    const owned = ownedBytes(object.subarray(offset, until), offset, range, object.length);
    if (owned !== undefined) return owned;
  }
}

function chunkedCount(text: string, chunkBytes: number, extra: number, n: number, jsonLines = false) {
  const object = new TextEncoder().encode(text);
  const chunks = planTextChunks(
    [{ key: jsonLines ? 'a.jsonl' : 'a.txt', sizeBytes: object.length }],
    chunkBytes,
  );
  const decoder = new TextDecoder();
  return mergeCounts(
    chunks.map((chunk) => countGrams(textsOf(decoder.decode(readChunk(object, chunk, extra)), jsonLines), n)),
  );
}

const singleProcess = (text: string, n: number, jsonLines = false) => countGrams(textsOf(text, jsonLines), n);

describe('word count (core)', () => {
  it('tokenises words with case folded and inner apostrophes kept', () => {
    expect(wordsOf("Don't PANIC: the well-known 42 É-lan")).to.deep.equal([
      "don't",
      'panic',
      'the',
      'well-known',
      '42',
      'é-lan',
    ]);
  });

  it('counts n-grams within a line, never across two', () => {
    const counts = singleProcess('a b c\nd e\n', 2);
    expect(Object.fromEntries(counts)).to.deep.equal({ 'a b': 1, 'b c': 1, 'd e': 1 });
  });

  it('counts the string values of JSON-lines records, and keeps a line that is not JSON', () => {
    const counts = singleProcess('{"t":"red fox","n":3,"tags":["fox"]}\nnot json fox\n', 1, true);
    expect(Object.fromEntries(counts)).to.deep.equal({ red: 1, fox: 3, not: 1, json: 1 });
  });

  it('ranks by count then gram, whatever the order of the merge', () => {
    const counts = new Map([
      ['b', 2],
      ['a', 2],
      ['c', 5],
    ]);
    expect(rankCounts(counts)).to.deep.equal([
      { gram: 'c', count: 5 },
      { gram: 'a', count: 2 },
      { gram: 'b', count: 2 },
    ]);
    expect(rankCounts(counts, 1)).to.have.length(1);
  });

  it('plans a GZIP object as one chunk and skips empty objects', () => {
    const chunks = planTextChunks(
      [
        { key: 'raw/b.txt', sizeBytes: 250 },
        { key: 'raw/a.jsonl.gz', sizeBytes: 900 },
        { key: 'raw/empty.txt', sizeBytes: 0 },
      ],
      100,
    );
    expect(chunks.map(({ key, start, end }) => `${key}:${start}-${end}`)).to.deep.equal([
      'raw/a.jsonl.gz:0-900',
      'raw/b.txt:0-100',
      'raw/b.txt:100-200',
      'raw/b.txt:200-250',
    ]);
    expect(chunks[0]).to.include({ gzip: true, jsonLines: true, chunk: 0 });
  });

  it('gives exactly the single-process counts for any text, chunk size and read size', () => {
    const line = fc
      .array(
        fc.constantFrom('alpha', 'beta', 'Beta', 'γάμμα', 'delta', "it's", '42', '', ' ', ',', '\t', 'x'),
        {
          maxLength: 12,
        },
      )
      .map((words) => words.join(' '));
    fc.assert(
      fc.property(
        fc.array(line, { maxLength: 30 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 80 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 1, max: 3 }),
        (lines, trailingNewline, chunkBytes, extra, n) => {
          const text = lines.join('\n') + (trailingNewline ? '\n' : '');
          expect(Object.fromEntries(chunkedCount(text, chunkBytes, extra, n))).to.deep.equal(
            Object.fromEntries(singleProcess(text, n)),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('gives the single-process counts of JSON lines for any chunk size', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ text: fc.string({ maxLength: 30 }), tags: fc.array(fc.string({ maxLength: 8 })) }),
          {
            maxLength: 20,
          },
        ),
        fc.integer({ min: 1, max: 60 }),
        (records, chunkBytes) => {
          const text = records.map((record) => `${JSON.stringify(record)}\n`).join('');
          expect(Object.fromEntries(chunkedCount(text, chunkBytes, 7, 1, true))).to.deep.equal(
            Object.fromEntries(singleProcess(text, 1, true)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});
