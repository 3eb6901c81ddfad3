import { createHash } from 'node:crypto';

// Compaction planning: the small GZIP JSON-lines objects of each partition (Firehose writes one per
// buffer) grouped, in key order, into groups of about `targetBytes`, each to become one Parquet file
// in curated/ with the same partitions. The file's name is a hash of its sources' keys and ETags, so
// compacting the same sources again names the same file, which then exists: nothing new is written.

export interface SourceObject {
  key: string;
  etag: string;
  sizeBytes: number;
}

export interface CompactionGroup {
  chunk: number;
  /** The Parquet object to write. */
  target: string;
  sources: SourceObject[];
}

/** Firehose's objects: GZIP JSON lines, with or without an extension before `.gz`. */
const isCompactable = (key: string) => key.endsWith('.gz') && !key.endsWith('.parquet.gz');

const folderOf = (key: string) => key.slice(0, key.lastIndexOf('/'));

/** `raw/clicks/year=2026/a.gz` -> `curated/clicks/year=2026/compacted-<hash>.parquet`. */
export function compactedKey(sources: readonly SourceObject[]): string {
  const folder = folderOf(sources[0]?.key ?? '');
  const [, ...rest] = folder.split('/');
  const hash = createHash('sha256');
  for (const { key, etag } of [...sources].sort((a, b) => (a.key < b.key ? -1 : 1)))
    hash.update(`${key}\n${etag.replace(/"/g, '')}\n`);
  return `curated/${rest.join('/')}/compacted-${hash.digest('hex').slice(0, 24)}.parquet`;
}

export function planCompaction(objects: readonly SourceObject[], targetBytes: number): CompactionGroup[] {
  const byFolder = new Map<string, SourceObject[]>();
  for (const object of objects) {
    if (!isCompactable(object.key) || object.sizeBytes === 0) continue;
    const folder = folderOf(object.key);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), object]);
  }
  const groups: CompactionGroup[] = [];
  for (const folder of [...byFolder.keys()].sort()) {
    const sorted = (byFolder.get(folder) ?? []).sort((a, b) => (a.key < b.key ? -1 : 1));
    let current: SourceObject[] = [];
    let bytes = 0;
    const close = () => {
      if (current.length > 0)
        groups.push({ chunk: groups.length, target: compactedKey(current), sources: current });
      current = [];
      bytes = 0;
    };
    for (const object of sorted) {
      if (current.length > 0 && bytes + object.sizeBytes > targetBytes) close();
      current.push(object);
      bytes += object.sizeBytes;
    }
    close();
  }
  return groups;
}
