import { readdirSync, readFileSync } from 'node:fs';

// CPU time from Linux's /proc, for the benchmarks: of one process and its named threads (where a
// request's CPU goes), of a process tree (the whole local cloud), and of the machine (who else used the
// cores meanwhile, on a shared machine). Node names its threads: MainThread, WorkerThread
// (worker_threads), V8Worker (garbage collection, compilation), libuv-worker.
// https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux build in use). */
const TICKS_PER_SECOND = 100;

interface ProcessStat {
  pid: number;
  parentPid: number;
  name: string;
  /** User and system time, in ticks, of all its threads. */
  cpuTicks: number;
}

/** A /proc stat line: the name is in parentheses and may hold spaces; the fields after it are fixed. */
function parseStat(pid: number, line: string): ProcessStat {
  const close = line.lastIndexOf(')');
  // After the name: state (field 3), ppid (4), ... utime (14), stime (15); fields[0] is field 3.
  const fields = line.slice(close + 2).split(' ');
  return {
    pid,
    parentPid: Number(fields[1]),
    name: line.slice(line.indexOf('(') + 1, close),
    cpuTicks: Number(fields[11]) + Number(fields[12]),
  };
}

function readStat(path: string, pid: number): ProcessStat | undefined {
  try {
    return parseStat(pid, readFileSync(path, 'utf8'));
  } catch {
    return undefined; // Ended while listed, or not Linux.
  }
}

/** Every process whose ancestry leads to one of `roots`, the roots included. */
function processTree(roots: readonly number[]): ProcessStat[] {
  const stats = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readStat(`/proc/${entry}/stat`, Number(entry)))
    .filter((stat) => stat !== undefined);
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

/* ------------------------------------------------------------------ one process, by thread */

/** CPU milliseconds by thread name, and `total` for the whole process (threads that ended included). */
export type CpuTimes = Map<string, number>;

const ticksToMs = (ticks: number) => (ticks * 1000) / TICKS_PER_SECOND;

/** The process's CPU time so far, by thread name; empty where the process ended or /proc is absent. */
export function cpuTimes(pid: number): CpuTimes {
  const times: CpuTimes = new Map();
  const process = readStat(`/proc/${pid}/stat`, pid);
  if (process === undefined) return times;
  times.set('total', ticksToMs(process.cpuTicks));
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const name = readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim();
      const thread = readStat(`/proc/${pid}/task/${task}/stat`, Number(task));
      times.set(name, (times.get(name) ?? 0) + ticksToMs(thread?.cpuTicks ?? 0));
    }
  } catch {
    // The process ended while its threads were read: its time is in the total.
  }
  return times;
}

/** What each process (and each named thread of it) used between two samples. */
export function cpuDelta(before: CpuTimes, after: CpuTimes): CpuTimes {
  const delta: CpuTimes = new Map();
  for (const [name, ms] of after) delta.set(name, ms - (before.get(name) ?? 0));
  return delta;
}

/** Samples the processes, runs `work`, and returns what it cost each of them. */
export async function measureCpu<T>(
  pids: ReadonlyMap<string, number>,
  work: () => Promise<T>,
): Promise<{ result: T; cpu: Map<string, CpuTimes> }> {
  const before = new Map([...pids].map(([name, pid]) => [name, cpuTimes(pid)]));
  const result = await work();
  const cpu = new Map(
    [...pids].map(([name, pid]) => [name, cpuDelta(before.get(name) ?? new Map(), cpuTimes(pid))]),
  );
  return { result, cpu };
}

/* ------------------------------------------------------------------ a process tree */

export interface ProcessCpu {
  pid: number;
  /** The name the caller gives it (cloud.json's processes), else the kernel's. */
  name: string;
  /** Share of one core over the window: 0.05 is 5 %. */
  share: number;
}

/**
 * The CPU that `roots` and every process they started used over `windowMs`: each process's share of
 * one core, and the total. A process that ends during the window counts until its last sample.
 */
export async function measureProcessCpu(
  roots: readonly { pid: number; name: string }[],
  windowMs: number,
): Promise<{ total: number; processes: ProcessCpu[] }> {
  const names = new Map(roots.map(({ pid, name }) => [pid, name]));
  const before = processTree([...names.keys()]);
  const startedAt = performance.now();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  const after = new Map(processTree([...names.keys()]).map((stat) => [stat.pid, stat]));
  const seconds = (performance.now() - startedAt) / 1000;
  const processes = before.map((stat) => ({
    pid: stat.pid,
    name: names.get(stat.pid) ?? stat.name,
    share: ((after.get(stat.pid)?.cpuTicks ?? stat.cpuTicks) - stat.cpuTicks) / TICKS_PER_SECOND / seconds,
  }));
  return {
    total: processes.reduce((sum, process) => sum + process.share, 0),
    processes: processes.sort((a, b) => b.share - a.share),
  };
}

/* ------------------------------------------------------------------ the machine */

/**
 * What the machine was doing while a measurement ran: on a shared two-core machine, what moves a ratio
 * most. A loop on one core loses less to a busy neighbour than a pipeline on both.
 */
export interface MachineSnapshot {
  at: number;
  /** Ticks of all CPUs, busy and in all. */
  busy: number;
  total: number;
  /** Ticks of this process and its descendants (the local cloud it started). */
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

export function machineSnapshot(): MachineSnapshot {
  const [cpu = ''] = readFileSync('/proc/stat', 'utf8').split('\n');
  const ticks = cpu.split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return {
    at: performance.now(),
    busy: total - idle,
    total,
    own: processTree([process.pid]).reduce((sum, stat) => sum + stat.cpuTicks, 0),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?',
  };
}

export function machineShareBetween(before: MachineSnapshot, after: MachineSnapshot): MachineShare {
  const seconds = (after.at - before.at) / 1000;
  const cores = (ticks: number) => ticks / TICKS_PER_SECOND / seconds;
  const own = Math.max(0, after.own - before.own);
  return {
    ownCores: cores(own),
    otherCores: Math.max(0, cores(after.busy - before.busy - own)),
    loadAverage: before.loadAverage,
  };
}
