import { readdir, readFile } from 'node:fs/promises';

/** Linux reports CPU time in clock ticks of USER_HZ, which is 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

interface ProcessStat {
  pid: number;
  parentPid: number;
  name: string;
  /** User and system time, in ticks, of all its threads. */
  cpuTicks: number;
}

/** /proc/<pid>/stat: the name is in parentheses and may hold spaces; the fields after it are fixed. */
async function statOf(pid: number): Promise<ProcessStat | undefined> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const close = text.lastIndexOf(')');
  const name = text.slice(text.indexOf('(') + 1, close);
  const fields = text.slice(close + 2).split(' ');
  // After the name: state (3), ppid (4), ... utime (14), stime (15); fields[0] is field 3.
  return {
    pid,
    parentPid: Number(fields[1]),
    name,
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

/** Every process whose ancestry leads to one of `roots`, the roots included. */
async function processTree(roots: readonly number[]): Promise<ProcessStat[]> {
  const pids = (await readdir('/proc')).filter((entry) => /^\d+$/.test(entry)).map(Number);
  const stats = (await Promise.all(pids.map(statOf))).filter((stat) => stat !== undefined);
  const inTree = new Set(roots);
  for (let grew = true; grew; ) {
    grew = false;
    for (const stat of stats) {
      if (!inTree.has(stat.pid) && inTree.has(stat.parentPid)) {
        inTree.add(stat.pid);
        grew = true;
      }
    }
  }
  return stats.filter((stat) => inTree.has(stat.pid));
}

export interface ProcessCpu {
  pid: number;
  /** The name the cloud gives it (cloud.json's processes), else the kernel's. */
  name: string;
  /** Share of one core over the window: 0.05 is 5 %. */
  share: number;
}

/**
 * The CPU that `roots` and every process they started used over `windowMs`, from /proc: each
 * process's share of one core, and the total. A process that ends during the window counts until then.
 */
export async function measureProcessCpu(
  roots: readonly { pid: number; name: string }[],
  windowMs: number,
): Promise<{ total: number; processes: ProcessCpu[] }> {
  const names = new Map(roots.map(({ pid, name }) => [pid, name]));
  const before = await processTree(roots.map(({ pid }) => pid));
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = new Map((await processTree([...names.keys()])).map((stat) => [stat.pid, stat]));
  const seconds = (performance.now() - startedAt) / 1000;
  const processes = before.map((stat) => {
    const ticks = (after.get(stat.pid)?.cpuTicks ?? stat.cpuTicks) - stat.cpuTicks;
    return {
      pid: stat.pid,
      name: names.get(stat.pid) ?? stat.name,
      share: ticks / TICKS_PER_SECOND / seconds,
    };
  });
  return {
    total: processes.reduce((sum, process) => sum + process.share, 0),
    processes: processes.sort((a, b) => b.share - a.share),
  };
}
