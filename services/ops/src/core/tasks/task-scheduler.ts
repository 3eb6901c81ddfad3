import { dueOccurrence } from './schedule';
import type { StoredTask } from './task-definition';
import type { TaskTarget } from './task-executor';

/** A task whose last dispatched occurrence has not finished anywhere after this long is overdue. */
export const OVERDUE_AFTER_MS = 30 * 60_000;

export interface RunStart {
  runId: string;
  taskName: string;
  trigger: 'schedule' | 'manual';
  scheduledFor: string;
  dryRun: boolean;
  targets: number;
  startedAt: string;
}

export interface TaskSchedulerOptions {
  tasks: {
    listAll(): Promise<StoredTask[]>;
    /** Moves the task's high-water mark from `previous` to `occurrence`; false when another run moved it. */
    markScheduled(name: string, previous: string | undefined, occurrence: string): Promise<boolean>;
  };
  queue: { send(targets: readonly TaskTarget[]): Promise<void> };
  runLog: { startRun(run: RunStart): Promise<void> };
  clock: () => Date;
}

export interface TickOutcome {
  dispatched: RunStart[];
  /** Enabled tasks whose last due run has not finished in time (the alarm's metric). */
  overdue: string[];
}

/**
 * The scheduler: on every tick (EventBridge, every 5 minutes) it finds the enabled tasks that are due and
 * fans out one executor message per account x region. The run id is the task and its occurrence, so a
 * tick delivered twice, or a crash between sending and marking, dispatches the same run again, which the
 * executor recognises (snapshots carry their run id). It also names the tasks that are overdue.
 */
export function createTaskScheduler(options: TaskSchedulerOptions) {
  const { tasks, queue, runLog, clock } = options;

  async function dispatch(
    task: StoredTask,
    runId: string,
    trigger: RunStart['trigger'],
    scheduledFor: string,
  ) {
    const targets = task.accounts.flatMap((roleArn) =>
      task.regions.map((region) => ({ taskName: task.name, runId, roleArn, region })),
    );
    const run: RunStart = {
      runId,
      taskName: task.name,
      trigger,
      scheduledFor,
      dryRun: task.dryRun,
      targets: targets.length,
      startedAt: clock().toISOString(),
    };
    await runLog.startRun(run);
    await queue.send(targets);
    return run;
  }

  return {
    async tick(): Promise<TickOutcome> {
      const now = clock();
      const all = await tasks.listAll();
      const dispatched: RunStart[] = [];
      const overdue: string[] = [];
      for (const task of all.filter((candidate) => candidate.enabled)) {
        const occurrence = dueOccurrence(task.schedule, task, now);
        if (occurrence !== undefined) {
          const scheduledFor = occurrence.toISOString();
          // Sent before marked: a crash in between sends the same run again rather than never.
          const run = await dispatch(task, `${task.name}@${scheduledFor}`, 'schedule', scheduledFor);
          if (await tasks.markScheduled(task.name, task.lastScheduledFor, scheduledFor)) dispatched.push(run);
        } else if (isOverdue(task, now)) {
          overdue.push(task.name);
        }
      }
      return { dispatched, overdue };
    },

    /** "Run now": one run outside the schedule, whether the task is enabled or not. */
    async runNow(task: StoredTask): Promise<RunStart> {
      const now = clock().toISOString();
      return dispatch(task, `${task.name}@manual-${now}`, 'manual', now);
    },
  };
}

export type TaskScheduler = ReturnType<typeof createTaskScheduler>;

function isOverdue(task: StoredTask, now: Date): boolean {
  if (task.lastScheduledFor === undefined) return false;
  const finished = task.lastCompletedAt === undefined ? 0 : Date.parse(task.lastCompletedAt);
  const due = Date.parse(task.lastScheduledFor);
  return finished < due && now.getTime() - due > OVERDUE_AFTER_MS;
}
