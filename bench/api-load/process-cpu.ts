import { readdirSync, readFileSync } from 'node:fs';

// CPU time of processes and of their threads, from Linux's /proc: where a request's CPU goes in the
// local cloud (the front door, serverless-offline's main thread, the function's worker thread, V8's
// helper threads, DynamoDB Local). Node names its threads: MainThread, WorkerThread (worker_threads),
// V8Worker (garbage collection, compilation), libuv-worker.
// https://man7.org/linux/man-pages/man5/proc_pid_stat.5.html

/** Clock ticks per second of /proc's times (USER_HZ: 100 on every Linux build in use). */
const TICKS_PER_SECOND = 100;

/** CPU milliseconds by thread name, and `total` for the whole process (threads that ended included). */
export type CpuTimes = Map<string, number>;

/** utime + stime of a /proc stat line, in ms; the command name in parentheses may hold spaces. */
function statMs(statLine: string): number {
  const fields = statLine.slice(statLine.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of the line; the slice starts at field 3.
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
}

/** The process's CPU time so far, by thread name; empty where /proc is not there (not Linux) or the process ended. */
export function cpuTimes(pid: number): CpuTimes {
  const times: CpuTimes = new Map();
  try {
    times.set('total', statMs(readFileSync(`/proc/${pid}/stat`, 'utf8')));
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const name = readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim();
      const ms = statMs(readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8'));
      times.set(name, (times.get(name) ?? 0) + ms);
    }
  } catch {
    // A thread that ended between readdir and read: its time is in the total.
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
