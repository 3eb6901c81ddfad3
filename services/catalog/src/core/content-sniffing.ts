import { constants, gunzipSync } from 'node:zlib';
import type { DataFormat } from '@serverless-patterns/shared/schemas/events';

/** What the first bytes of an object say it is. */
export interface SniffedContent {
  format: DataFormat;
  compression: 'gzip' | 'none';
  /** The sample as text, cut after its last complete line (JSON lines and CSV only). */
  text?: string;
}

const PARQUET_MAGIC = 'PAR1';
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/**
 * Reads the format from the content, not the name: Parquet by its magic number, gzip by its own
 * (then the inflated text is read in turn), JSON lines when the first line is a JSON object, CSV
 * when the first lines have the same number (two or more) of comma-, tab-, semicolon- or
 * pipe-separated fields. `head` is the object's first bytes; `complete` says whether it is all of it.
 * https://parquet.apache.org/docs/file-format/  https://www.rfc-editor.org/rfc/rfc1952#page-5
 */
export function sniffContent(head: Uint8Array, complete: boolean): SniffedContent {
  if (startsWith(head, [...Buffer.from(PARQUET_MAGIC)])) return { format: 'parquet', compression: 'none' };
  if (startsWith(head, GZIP_MAGIC)) {
    const inflated = inflatePrefix(head);
    if (inflated === undefined) return { format: 'unknown', compression: 'gzip' };
    // Inflating a prefix cannot tell where the stream ends: its text is treated as cut.
    return { ...sniffText(inflated, complete && inflated.length > 0), compression: 'gzip' };
  }
  return { ...sniffText(head, complete), compression: 'none' };
}

function sniffText(bytes: Uint8Array, complete: boolean): { format: DataFormat; text?: string } {
  if (bytes.includes(0)) return { format: 'unknown' };
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const text = complete ? decoded : decoded.slice(0, decoded.lastIndexOf('\n') + 1);
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '');
  const [first] = lines;
  if (first === undefined) return { format: 'unknown' };
  if (isJsonObject(first)) return { format: 'jsonl', text };
  // A JSON document that is not one object per line (an array, an object over several lines).
  if (/^\s*[[{]/.test(first)) return { format: 'unknown' };
  if (hasSteadyDelimiter(lines.slice(0, 20))) return { format: 'csv', text };
  return { format: 'unknown' };
}

function isJsonObject(line: string): boolean {
  if (!line.trimStart().startsWith('{')) return false;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

function hasSteadyDelimiter(lines: readonly string[]): boolean {
  return [',', '\t', ';', '|'].some((delimiter) => {
    const counts = lines.map((line) => fieldCount(line, delimiter));
    return counts[0] !== undefined && counts[0] >= 2 && counts.every((count) => count === counts[0]);
  });
}

/** Fields of a CSV line, with delimiters inside double quotes not counted. */
function fieldCount(line: string, delimiter: string): number {
  let fields = 1;
  let quoted = false;
  for (const character of line) {
    if (character === '"') quoted = !quoted;
    else if (character === delimiter && !quoted) fields += 1;
  }
  return fields;
}

/** As much of a gzip stream as its first bytes give (a sync flush stops where the input does). */
function inflatePrefix(head: Uint8Array): Uint8Array | undefined {
  try {
    return gunzipSync(head, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}
