/**
 * The durable buffer of one delivery stream: what PutRecord accepted is on disk before the call is
 * answered, and stays there until it has been written to S3, so that a restart of the local cloud
 * (even a kill) delivers it afterwards, as Firehose keeps accepted records for up to 24 hours.
 * https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html#retry
 *
 * Append-only segment files of frames `[u32 length][f64 arrival ms][data]`, each segment named after
 * the sequence number of its first record, and `checkpoint.json`: every record below its `next` has
 * been delivered (or dropped, or written to the error prefix). A record's sequence number is its
 * place in the stream, so it keeps its record id across restarts. Records past the checkpoint are
 * delivered again after a restart, even those already written: at least once, as Firehose.
 * Written before the answer, not fsynced: a process that dies loses nothing; a machine that loses
 * power may lose the last writes (Firehose stores across availability zones).
 */
import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';

export interface JournalRecord {
  seq: number;
  /** Approximate arrival, epoch milliseconds. */
  arrival: number;
  data: Buffer;
}

export interface Journal {
  /** What was accepted and not yet delivered when the journal was opened, in order. */
  readonly recovered: readonly JournalRecord[];
  /** Appends records in call order; resolves with their sequence numbers once they are on disk. */
  append(records: readonly { arrival: number; data: Buffer }[]): Promise<number[]>;
  /** Every record below `next` is delivered: the segments wholly below it are deleted. */
  checkpoint(next: number): Promise<void>;
  /** The checkpoint last written. */
  readonly checkpointed: number;
  close(): Promise<void>;
}

const HEADER_BYTES = 12;
const SEGMENT_BYTES = 16 * 1024 * 1024;
const SEGMENT_FILE = /^(\d{16})\.log$/;
const CHECKPOINT_FILE = 'checkpoint.json';

const segmentName = (firstSeq: number) => `${String(firstSeq).padStart(16, '0')}.log`;

export async function openJournal(dir: string): Promise<Journal> {
  await mkdir(dir, { recursive: true });
  let checkpointed = await readCheckpoint(dir);
  const segments = await listSegments(dir);
  const recovered: JournalRecord[] = [];
  let nextSeq = checkpointed;
  for (const segment of segments) {
    const { records, validBytes, totalBytes } = await readSegment(join(dir, segment.file), segment.firstSeq);
    // A frame cut short by a crash was never acknowledged: it is dropped.
    if (validBytes < totalBytes) {
      const handle = await open(join(dir, segment.file), 'r+');
      await handle.truncate(validBytes).finally(() => handle.close());
    }
    for (const record of records) if (record.seq >= checkpointed) recovered.push(record);
    nextSeq = Math.max(nextSeq, segment.firstSeq + records.length);
  }

  let current: { handle: FileHandle; firstSeq: number; bytes: number } | undefined;
  let pending: { frames: Buffer[]; seqs: number[]; done: () => void; fail: (error: unknown) => void }[] = [];
  let writing: Promise<void> | undefined;
  let closed = false;

  const segmentFor = async (firstSeq: number) => {
    if (current !== undefined && current.bytes < SEGMENT_BYTES) return current;
    await current?.handle.close();
    current = { handle: await open(join(dir, segmentName(firstSeq)), 'a'), firstSeq, bytes: 0 };
    return current;
  };

  // Group commit: every append waiting when a write starts goes into that one write.
  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      try {
        const segment = await segmentFor(batch[0]?.seqs[0] as number);
        const body = Buffer.concat(batch.flatMap((entry) => entry.frames));
        await segment.handle.write(body);
        segment.bytes += body.length;
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.fail(error);
      }
    }
  };

  return {
    recovered,
    get checkpointed() {
      return checkpointed;
    },
    append(records) {
      if (closed) return Promise.reject(new Error('the journal is closed'));
      const seqs: number[] = [];
      const frames: Buffer[] = [];
      for (const record of records) {
        const header = Buffer.allocUnsafe(HEADER_BYTES);
        header.writeUInt32BE(record.data.length, 0);
        header.writeDoubleBE(record.arrival, 4);
        frames.push(header, record.data);
        seqs.push(nextSeq);
        nextSeq += 1;
      }
      const appended = new Promise<number[]>((resolve, reject) => {
        pending.push({ frames, seqs, done: () => resolve(seqs), fail: reject });
      });
      writing ??= drain().finally(() => {
        writing = undefined;
      });
      return appended;
    },
    async checkpoint(next) {
      if (next <= checkpointed) return;
      checkpointed = next;
      const temporary = join(dir, `${CHECKPOINT_FILE}.tmp`);
      await writeFile(temporary, JSON.stringify({ next }));
      await rename(temporary, join(dir, CHECKPOINT_FILE));
      const all = await listSegments(dir);
      for (const [index, segment] of all.entries()) {
        const following = all[index + 1];
        if (following === undefined || following.firstSeq > next) break;
        if (current?.firstSeq === segment.firstSeq) break;
        await rm(join(dir, segment.file), { force: true });
      }
    },
    async close() {
      closed = true;
      await writing;
      await current?.handle.close();
      current = undefined;
    },
  };
}

async function readCheckpoint(dir: string): Promise<number> {
  try {
    const { next } = JSON.parse(await readFile(join(dir, CHECKPOINT_FILE), 'utf8')) as { next?: unknown };
    return typeof next === 'number' && Number.isSafeInteger(next) && next >= 0 ? next : 0;
  } catch {
    return 0;
  }
}

async function listSegments(dir: string): Promise<{ file: string; firstSeq: number }[]> {
  return (await readdir(dir))
    .flatMap((file) => {
      const match = SEGMENT_FILE.exec(file);
      return match ? [{ file, firstSeq: Number(match[1]) }] : [];
    })
    .sort((a, b) => a.firstSeq - b.firstSeq);
}

async function readSegment(path: string, firstSeq: number) {
  const totalBytes = (await stat(path)).size;
  const bytes = await readFile(path);
  const records: JournalRecord[] = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt32BE(offset);
    const end = offset + HEADER_BYTES + length;
    if (end > bytes.length) break;
    records.push({
      seq: firstSeq + records.length,
      arrival: bytes.readDoubleBE(offset + 4),
      data: Buffer.from(bytes.subarray(offset + HEADER_BYTES, end)),
    });
    offset = end;
  }
  return { records, validBytes: offset, totalBytes };
}
