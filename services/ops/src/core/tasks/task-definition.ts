import { Cron } from 'croner';
import * as z from 'zod';

/**
 * An Ops-Automator-style task: what to do, to which tagged resources, where and when. A resource belongs
 * to a task when its `OpsAutomatorTaskList` tag (the tag key is the task's `tagKey`) lists the task's name
 * among its comma-separated values, on the volume itself or on the instance it is attached to.
 * https://docs.aws.amazon.com/solutions/latest/ops-automator/appendix-d.html
 */

export const TASK_ACTIONS = ['CreateSnapshot', 'DeleteSnapshots'] as const;
export const DEFAULT_TASK_TAG_KEY = 'OpsAutomatorTaskList';
/** The tag every snapshot a task creates carries: the name of the task, so that its retention finds it. */
export const CREATED_BY_TAG = 'OpsAutomatorCreatedBy';
/** The run that created a snapshot: a redelivered executor message creates nothing twice. */
export const RUN_TAG = 'OpsAutomatorRunId';

const taskName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1 to 64 letters, digits, dots, dashes or underscores');
const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, 'must be an IAM role ARN');
const region = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1');

/** A cron expression croner reads (5 or 6 fields, UTC): "0 3 * * *" is every day at 03:00 UTC. */
export const cronExpression = z.string().superRefine((expression, context) => {
  try {
    new Cron(expression, { paused: true, timezone: 'UTC' });
  } catch (error) {
    context.addIssue({ code: 'custom', message: `is not a cron expression: ${(error as Error).message}` });
  }
});

export const retentionSchema = z
  .object({
    /** Keep the newest `count` snapshots of each volume. */
    count: z.number().int().min(1).max(1000).optional(),
    /** Keep snapshots younger than `days`. */
    days: z.number().int().min(1).max(3650).optional(),
  })
  .strict()
  .refine((retention) => retention.count !== undefined || retention.days !== undefined, {
    message: 'needs a count, days, or both',
  });
export type Retention = z.infer<typeof retentionSchema>;

export const taskDefinitionSchema = z
  .object({
    name: taskName,
    action: z.enum(TASK_ACTIONS),
    tagKey: z.string().min(1).max(128).default(DEFAULT_TASK_TAG_KEY),
    schedule: cronExpression,
    /** CreateSnapshot: applied to the task's own snapshots after it created new ones. DeleteSnapshots: required. */
    retention: retentionSchema.optional(),
    /** DeleteSnapshots: whose snapshots it deletes (a CreateSnapshot task's name); default its own name. */
    snapshotsOf: taskName.optional(),
    /** The role the executor assumes in each account. */
    accounts: z.array(roleArn).min(1).max(50),
    regions: z.array(region).min(1).max(20),
    dryRun: z.boolean().default(false),
    enabled: z.boolean().default(true),
  })
  .strict()
  .refine((task) => task.action !== 'DeleteSnapshots' || task.retention !== undefined, {
    message: 'a DeleteSnapshots task needs a retention',
    path: ['retention'],
  });
export type TaskDefinition = z.infer<typeof taskDefinitionSchema>;

/** A task as stored: its definition and the scheduler's bookkeeping. */
export interface StoredTask extends TaskDefinition {
  createdAt: string;
  /** The schedule occurrence last dispatched (the scheduler's high-water mark). */
  lastScheduledFor?: string;
  /** When a run of it last finished in every target. */
  lastCompletedAt?: string;
}

/** Whether a tag value (comma-separated task names) lists this task, exactly (names are case-sensitive). */
export function listsTask(tagValue: string | undefined, name: string): boolean {
  return (tagValue ?? '').split(',').some((listed) => listed.trim() === name);
}

/**
 * Why a resource that looks tagged for the task was not selected, or undefined when it does not look so:
 * the tag key differs only in case or spaces, or the value names the task in another case or spelling
 * (Ops Automator issues #3, #6: snapshots silently not created because of the tag set-up).
 */
export function whyNotSelected(
  tags: readonly { Key?: string; Value?: string }[],
  task: Pick<TaskDefinition, 'name' | 'tagKey'>,
): string | undefined {
  const key = normalize(task.tagKey);
  const name = normalize(task.name);
  for (const tag of tags) {
    const tagKey = tag.Key ?? '';
    const value = tag.Value ?? '';
    const mentionsTask = value.split(',').some((listed) => normalize(listed) === name);
    if (tagKey === task.tagKey && !listsTask(value, task.name)) {
      if (mentionsTask) return `tag ${tagKey}="${value}" names the task in another case or with spaces`;
      if (value.toLowerCase().includes(name)) {
        return `tag ${tagKey}="${value}" does not list "${task.name}" (task names are separated by commas)`;
      }
    } else if (tagKey !== task.tagKey && normalize(tagKey) === key && mentionsTask) {
      return `tag key "${tagKey}" is not "${task.tagKey}" (keys are case-sensitive)`;
    }
  }
  return undefined;
}

function normalize(text: string): string {
  return text.trim().toLowerCase().replace(/\s+/g, '');
}
