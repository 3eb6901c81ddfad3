import { readdirSync, readFileSync } from 'node:fs';

/**
 * What else the machine was doing while a measurement ran, from /proc: the CPU time of every process
 * (the benchmark and the local cloud it started are told apart from the others by their process tree)
 * and the load average. On a shared two-core machine this is what moves the ratio most: the plain
 * loop works on about one core, the pipeline on both, so other people's work takes a larger share
 * from the pipeline than from the loop. https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html
 */
export interface MachineSnapshot {
  at: number;
  /** Jiffies of all CPUs, busy and in all. */
  busy: number;
  total: number;
  /** Jiffies of this process and its descendants (the local cloud). */
  own: number;
  loadAverage: string;
}

export interface MachineShare {
  /** Cores this benchmark (and its cloud) used on average. */
  ownCores: number;
  /** Cores every other process used on average. */
  otherCores: number;
  /** The 1-minute load average when the measurement started. */
  loadAverage: string;
}

export function snapshot(): MachineSnapshot {
  const [cpu = ''] = readFileSync('/proc/stat', 'utf8').split('\n');
  const ticks = cpu.split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return {
    at: performance.now(),
    busy: total - idle,
    total,
    own: descendants(process.pid).reduce((sum, pid) => sum + cpuTicks(pid), 0),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?',
  };
}

export function shareBetween(before: MachineSnapshot, after: MachineSnapshot): MachineShare {
  // /proc/stat counts the jiffies of every CPU: per CPU and second, that is the clock tick (USER_HZ).
  const seconds = (after.at - before.at) / 1000;
  const tick = (after.total - before.total) / seconds / cpuCount();
  const cores = (ticks: number) => ticks / seconds / tick;
  const own = Math.max(0, after.own - before.own);
  return {
    ownCores: cores(own),
    otherCores: Math.max(0, cores(after.busy - before.busy - own)),
    loadAverage: before.loadAverage,
  };
}

function cpuCount(): number {
  return readFileSync('/proc/stat', 'utf8')
    .split('\n')
    .filter((line) => /^cpu\d+ /.test(line)).length;
}

/** utime + stime of a process (its threads included), in jiffies; 0 once it has exited. */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // Exited while listed.
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}
