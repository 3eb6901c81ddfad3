import { type FileHandle, open, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Where the agent is: the file (by inode, which survives a rename) and the bytes already sent. */
export interface AgentCheckpoint {
  file: string;
  inode: number;
  offset: number;
  /** The files read to their end whose modification time is the latest of them (see fileAfter). */
  finished?: FinishedFile[];
}

/** A file read to its end: its inode and its last modification, in nanoseconds (as a string for JSON). */
export interface FinishedFile {
  inode: number;
  mtimeNs: string;
}

export interface LogAgentOptions {
  /** The log to tail, e.g. /var/log/shop/clicks.log; rotated files keep its name as a prefix (clicks.log.1). */
  file: string;
  checkpointFile: string;
  /** Sends lines (each with its newline) and resolves once every one is accepted. */
  send: (lines: Buffer[]) => Promise<void>;
  pollMs?: number;
  /** The most it reads (and sends) at once. */
  chunkBytes?: number;
  log?: (line: string) => void;
}

export interface LogAgent {
  /** Lines sent (and accepted) since it started. */
  readonly linesSent: number;
  /** Resolves the next time the agent has sent everything the file holds. */
  caughtUp(): Promise<void>;
  /** Finishes the batch under way, saves the checkpoint and stops. */
  stop(): Promise<void>;
}

interface OpenFile {
  handle: FileHandle;
  inode: number;
  offset: number;
  /** The file was rotated away: read it to its end, then go on with `file`. */
  rotated: boolean;
}

const NEWLINE = 0x0a;

/**
 * The Kinesis Agent's job: tails a growing log file and sends its lines to a delivery stream,
 * checkpointing the inode and offset of what was accepted. It survives rotation: when the name
 * points to a new file (rename rotation) the old one is read to its end first (its last line even
 * without a newline), and a file cut short (copytruncate) is read again from its start. After a
 * restart it goes on from the checkpoint, finding a file rotated meanwhile by its inode, so that no
 * line is lost or sent twice (a crash between an accepted batch and its checkpoint sends that batch
 * again: at least once, as the Kinesis Agent).
 * https://docs.aws.amazon.com/firehose/latest/dev/writing-with-agents.html
 */
export async function startLogAgent(options: LogAgentOptions): Promise<LogAgent> {
  const { file, checkpointFile, send } = options;
  const pollMs = options.pollMs ?? 250;
  const chunkBytes = options.chunkBytes ?? 1024 * 1024;
  const log = options.log ?? (() => undefined);
  let linesSent = 0;
  let stopping = false;
  let waiters: (() => void)[] = [];
  let finished: FinishedFile[] = [];
  let current = await resume();

  async function resume(): Promise<OpenFile | undefined> {
    const checkpoint = await readCheckpoint(checkpointFile);
    finished = checkpoint?.finished ?? [];
    const named = await stat(file).catch(() => undefined);
    if (checkpoint === undefined) return named ? openAt(file, 0, false) : undefined;
    if (named?.ino === checkpoint.inode) return openAt(file, checkpoint.offset, false);
    const rotated = await findByInode(file, checkpoint.inode);
    if (rotated !== undefined) {
      log(`${file} was rotated while the agent was stopped: finishing ${rotated} first`);
      return openAt(rotated, checkpoint.offset, true);
    }
    log(
      `the file of the checkpoint (inode ${checkpoint.inode}) is gone: starting ${file} from its beginning`,
    );
    return named ? openAt(file, 0, false) : undefined;
  }

  async function openAt(path: string, offset: number, rotated: boolean): Promise<OpenFile> {
    const handle = await open(path, 'r');
    const { ino } = await handle.stat();
    return { handle, inode: ino, offset, rotated };
  }

  async function saveCheckpoint() {
    if (current === undefined) return;
    await writeCheckpoint(checkpointFile, { file, inode: current.inode, offset: current.offset, finished });
  }

  /** Reads from the offset; sends the complete lines (all of it at the end of a rotated file). */
  async function readAndSend(open: OpenFile, toTheEnd: boolean): Promise<number> {
    const buffer = Buffer.allocUnsafe(chunkBytes);
    const { bytesRead } = await open.handle.read(buffer, 0, chunkBytes, open.offset);
    if (bytesRead === 0) return 0;
    const chunk = buffer.subarray(0, bytesRead);
    let end = chunk.lastIndexOf(NEWLINE) + 1;
    // A line longer than a chunk, or the last line of a rotated file: sent as it is.
    if (end === 0 && (bytesRead === chunkBytes || toTheEnd)) end = bytesRead;
    if (end === 0) return 0;
    const lines = splitLines(chunk.subarray(0, end));
    if (lines.length > 0) await send(lines);
    linesSent += lines.length;
    open.offset += end;
    await saveCheckpoint();
    return end;
  }

  async function step(): Promise<boolean> {
    if (current === undefined) {
      const named = await stat(file).catch(() => undefined);
      if (named === undefined) return false;
      current = await openAt(file, 0, false);
      await saveCheckpoint();
    }
    if ((await readAndSend(current, false)) > 0) return true;
    const named = await stat(file).catch(() => undefined);
    if (current.rotated || (named !== undefined && named.ino !== current.inode)) {
      // Rotated: what was written to the old file up to the rename is read first, to its very end,
      // then the file written after it, which may itself be rotated already if the agent lags.
      while ((await readAndSend(current, true)) > 0);
      const { mtimeNs } = await current.handle.stat({ bigint: true });
      await current.handle.close();
      finished = recentlyFinished([...finished, { inode: current.inode, mtimeNs: String(mtimeNs) }]);
      const next = await fileAfter(file, finished);
      current = next === undefined ? undefined : await openAt(next.path, 0, next.path !== file);
      await saveCheckpoint();
      return true;
    }
    if (named !== undefined && named.size < current.offset) {
      log(`${file} was truncated: reading it again from its start`);
      current.offset = 0;
      await saveCheckpoint();
      return true;
    }
    return false;
  }

  const running = (async () => {
    while (!stopping) {
      let progressed = false;
      try {
        progressed = await step();
      } catch (error) {
        log(`agent: ${String(error)}`);
      }
      if (!progressed) {
        for (const waiter of waiters.splice(0)) waiter();
        await new Promise((resolve) => setTimeout(resolve, pollMs));
      }
    }
    await current?.handle.close();
  })();

  return {
    get linesSent() {
      return linesSent;
    },
    caughtUp: () => new Promise<void>((resolve) => waiters.push(resolve)),
    async stop() {
      stopping = true;
      await running;
      for (const waiter of waiters.splice(0)) waiter();
      waiters = [];
    },
  };
}

/** Non-empty lines, each with its newline, so that objects in S3 are lines too. */
function splitLines(bytes: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(NEWLINE, start);
    const end = newline === -1 ? bytes.length : newline;
    if (end > start) lines.push(Buffer.concat([bytes.subarray(start, end), Buffer.from('\n')]));
    start = end + 1;
  }
  return lines;
}

const latestOf = (files: readonly FinishedFile[]) =>
  files.reduce((max, { mtimeNs }) => (BigInt(mtimeNs) > max ? BigInt(mtimeNs) : max), 0n);

/** The finished files last modified at the latest time: older ones fall below fileAfter's floor anyway. */
function recentlyFinished(files: FinishedFile[]): FinishedFile[] {
  const latest = latestOf(files);
  return files.filter(({ mtimeNs }) => BigInt(mtimeNs) === latest);
}

/**
 * The file written after the `finished` ones: of `file` and its rotated copies not read yet, the one
 * last modified soonest after them (a log is written in order, so each file's last write follows the
 * previous one's). File times come from the kernel's coarse clock (a tick of 1 to 10 ms), so a fast
 * writer gives two rotated files the same time (measured: 2 ties in 20 rotations of 50 lines on an
 * idle machine; under load the agent lost a whole file to one). Ties are ordered by creation (birth
 * time, then inode), the live file last, and a file read already is never a candidate: a tie can at
 * worst swap two files, never skip one.
 */
async function fileAfter(file: string, finished: readonly FinishedFile[]) {
  const dir = dirname(file);
  const name = basename(file);
  const done = new Set(finished.map(({ inode }) => inode));
  const floor = latestOf(finished);
  const candidates: { path: string; mtimeNs: bigint; birthtimeNs: bigint; inode: bigint }[] = [];
  for (const candidate of await readdir(dir).catch(() => [] as string[])) {
    if (!candidate.startsWith(name)) continue;
    const path = join(dir, candidate);
    const stats = await stat(path, { bigint: true }).catch(() => undefined);
    if (stats === undefined || done.has(Number(stats.ino)) || stats.mtimeNs < floor) continue;
    candidates.push({ path, mtimeNs: stats.mtimeNs, birthtimeNs: stats.birthtimeNs, inode: stats.ino });
  }
  const order = (a: bigint, b: bigint) => (a < b ? -1 : a > b ? 1 : 0);
  candidates.sort(
    (a, b) =>
      order(a.mtimeNs, b.mtimeNs) ||
      Number(a.path === file) - Number(b.path === file) ||
      order(a.birthtimeNs, b.birthtimeNs) ||
      order(a.inode, b.inode),
  );
  return candidates[0];
}

/** A rotated copy of `file` (clicks.log.1, clicks.log-20261129...) that is the given inode. */
async function findByInode(file: string, inode: number): Promise<string | undefined> {
  const dir = dirname(file);
  const name = basename(file);
  for (const candidate of await readdir(dir).catch(() => [] as string[])) {
    if (candidate === name || !candidate.startsWith(name)) continue;
    const path = join(dir, candidate);
    if ((await stat(path).catch(() => undefined))?.ino === inode) return path;
  }
  return undefined;
}

async function readCheckpoint(path: string): Promise<AgentCheckpoint | undefined> {
  try {
    const checkpoint = JSON.parse(await readFile(path, 'utf8')) as Partial<AgentCheckpoint>;
    if (typeof checkpoint.inode !== 'number' || typeof checkpoint.offset !== 'number') return undefined;
    return checkpoint as AgentCheckpoint;
  } catch {
    return undefined;
  }
}

/** Written to a temporary file then renamed, so that a crash leaves the old checkpoint or the new. */
async function writeCheckpoint(path: string, checkpoint: AgentCheckpoint) {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, JSON.stringify(checkpoint));
  await rename(temporary, path);
}
