import { Cron } from 'croner';

/**
 * The schedule occurrence a task is due for at `now`: the latest occurrence at or before `now` that is
 * later than the last one dispatched (or than the task's creation). Occurrences missed while the scheduler
 * did not run are caught up once, as the latest of them, rather than forgotten. Cron is read in UTC.
 */
export function dueOccurrence(
  schedule: string,
  { lastScheduledFor, createdAt }: { lastScheduledFor?: string; createdAt: string },
  now: Date,
): Date | undefined {
  const cron = new Cron(schedule, { paused: true, timezone: 'UTC' });
  const [latest] = cron.previousRuns(1, new Date(now.getTime() + 1));
  if (latest === undefined) return undefined;
  const since = Date.parse(lastScheduledFor ?? createdAt);
  return latest.getTime() > since ? latest : undefined;
}

/** When a task is due next after `after`. */
export function nextOccurrence(schedule: string, after: Date): Date | undefined {
  return new Cron(schedule, { paused: true, timezone: 'UTC' }).nextRun(after) ?? undefined;
}
