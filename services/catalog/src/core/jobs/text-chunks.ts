// Byte-range splitting of a lake prefix's text objects for the word count. A chunk is a byte range
// of one object and owns the lines that START inside it: a line that crosses the range's end is read
// to its end by the chunk that owns it, and skipped by the next. So every line is counted exactly
// once, whatever the chunk size. A GZIP object cannot be read from the middle: it is one chunk.

export interface TextObject {
  key: string;
  sizeBytes: number;
}

export interface TextChunk {
  /** The chunk's number in the plan: its partial result is named after it. */
  chunk: number;
  key: string;
  sizeBytes: number;
  /** First byte of the range (inclusive) and the byte after it; the whole object for GZIP. */
  start: number;
  end: number;
  gzip: boolean;
  /** JSON lines: the words are those of each record's string values. */
  jsonLines: boolean;
}

export const isGzip = (key: string) => key.endsWith('.gz');
export const isJsonLines = (key: string) => /\.(jsonl|ndjson|json)(\.gz)?$/.test(key);

export function planTextChunks(objects: readonly TextObject[], chunkBytes: number): TextChunk[] {
  const chunks: TextChunk[] = [];
  const sorted = [...objects]
    .filter((object) => object.sizeBytes > 0)
    .sort((a, b) => a.key.localeCompare(b.key));
  for (const { key, sizeBytes } of sorted) {
    const gzip = isGzip(key);
    const jsonLines = isJsonLines(key);
    const step = gzip ? sizeBytes : chunkBytes;
    for (let start = 0; start < sizeBytes; start += step)
      chunks.push({
        chunk: chunks.length,
        key,
        sizeBytes,
        start,
        end: Math.min(sizeBytes, start + step),
        gzip,
        jsonLines,
      });
  }
  return chunks;
}

const NEWLINE = 0x0a;

/**
 * The lines a chunk owns, from bytes read at `offset` of an object of `objectSize` bytes. The read
 * must start at `start - 1` (or 0): the byte before the range says whether the range begins a line.
 * `undefined` when the bytes stop before the last owned line ends: read further and ask again.
 */
export function ownedBytes(
  bytes: Uint8Array,
  offset: number,
  range: { start: number; end: number },
  objectSize: number,
): Uint8Array | undefined {
  const at = (position: number) => bytes[position - offset];
  // The first owned line: the range's first byte if a line starts there, else after the next newline.
  let first = range.start;
  if (first > 0 && at(first - 1) !== NEWLINE) {
    while (first < range.end && at(first - 1) !== NEWLINE) first += 1;
  }
  if (first >= range.end) return new Uint8Array();
  // The last owned line starts before `end` and runs to its newline (or the object's end).
  let last = range.end;
  if (at(last - 1) !== NEWLINE) {
    while (last < offset + bytes.length && at(last - 1) !== NEWLINE) last += 1;
    if (at(last - 1) !== NEWLINE && last < objectSize) return undefined;
  }
  return bytes.subarray(first - offset, last - offset);
}
