// Word and n-gram counting, the same for a mapper's chunk and for a single process over the whole
// input: a gram never spans two lines (or two string values of a JSON-lines record), so counts add
// up across any split at line boundaries.

/** Grams and their counts; a plain object is what partial results are written as. */
export type Counts = Map<string, number>;

// Letters and digits, with inner apostrophes and hyphens ("don't", "well-known"); case folded.
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).map((word) => word.replaceAll('’', "'"));
}

export function countGrams(texts: Iterable<string>, n: number, into: Counts = new Map()): Counts {
  for (const text of texts) {
    const words = wordsOf(text);
    for (let index = 0; index + n <= words.length; index += 1) {
      const gram = words.slice(index, index + n).join(' ');
      into.set(gram, (into.get(gram) ?? 0) + 1);
    }
  }
  return into;
}

/** The texts of lines: the lines themselves, or each JSON record's string values (depth first). */
export function* textsOf(content: string, jsonLines: boolean): Generator<string> {
  for (const line of content.split('\n')) {
    if (!jsonLines) {
      yield line;
      continue;
    }
    if (line.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch {
      // A line that is not JSON is counted as text rather than lost.
      yield line;
      continue;
    }
    yield* stringsOf(record);
  }
}

function* stringsOf(value: unknown): Generator<string> {
  if (typeof value === 'string') yield value;
  else if (Array.isArray(value)) for (const item of value) yield* stringsOf(item);
  else if (value !== null && typeof value === 'object')
    for (const item of Object.values(value)) yield* stringsOf(item);
}

export function mergeCounts(partials: Iterable<Counts>): Counts {
  const total: Counts = new Map();
  for (const partial of partials)
    for (const [gram, count] of partial) total.set(gram, (total.get(gram) ?? 0) + count);
  return total;
}

export const countsToJson = (counts: Counts): Record<string, number> => Object.fromEntries(counts);
export const countsFromJson = (json: Record<string, number>): Counts => new Map(Object.entries(json));

/** Most frequent first, ties by gram, so the result's bytes do not depend on the merge order. */
export function rankCounts(counts: Counts, top?: number): { gram: string; count: number }[] {
  const ranked = [...counts]
    .map(([gram, count]) => ({ gram, count }))
    .sort((a, b) => b.count - a.count || (a.gram < b.gram ? -1 : a.gram > b.gram ? 1 : 0));
  return top === undefined ? ranked : ranked.slice(0, top);
}
