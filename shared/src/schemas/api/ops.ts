import * as z from 'zod';
import { identifier, isoTimestamp } from '../common';

const awsAccountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const awsRegion = z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, 'must be an AWS region such as eu-west-1');
/** EventBridge schedule expressions: rate(5 minutes) or cron(0 3 * * ? *). */
const scheduleExpression = z
  .string()
  .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/);

/** An Ops-Automator-style task: what to do, to which tagged resources, where and when. */
export const opsTaskSchema = z
  .object({
    taskId: identifier,
    name: z.string().min(1).max(128),
    action: z.enum(['create-snapshots', 'delete-expired-snapshots']),
    tagSelector: z.object({ key: z.string().min(1).max(128), value: z.string().max(256) }).strict(),
    schedule: scheduleExpression,
    retentionDays: z.number().int().min(1).max(3650),
    accounts: z.array(awsAccountId).min(1),
    regions: z.array(awsRegion).min(1),
    dryRun: z.boolean(),
    enabled: z.boolean(),
  })
  .strict();
export type OpsTask = z.infer<typeof opsTaskSchema>;

export const opsRunSchema = z
  .object({
    runId: identifier,
    taskId: identifier,
    status: z.enum(['RUNNING', 'SUCCEEDED', 'PARTIAL', 'FAILED']),
    dryRun: z.boolean(),
    startedAt: isoTimestamp,
    endedAt: isoTimestamp.optional(),
    resources: z.array(
      z
        .object({
          account: awsAccountId,
          region: awsRegion,
          resourceId: z.string().min(1),
          action: z.string().min(1),
          outcome: z.enum(['DONE', 'SKIPPED', 'FAILED']),
          error: z.string().optional(),
        })
        .strict(),
    ),
  })
  .strict()
  // Only compared once both are valid timestamps (zod runs refinements after field errors too).
  .refine((run) => run.endedAt === undefined || !(Date.parse(run.startedAt) > Date.parse(run.endedAt)), {
    message: 'endedAt must not precede startedAt',
    path: ['endedAt'],
  });
export type OpsRun = z.infer<typeof opsRunSchema>;

/** A security-group rule that broke the policy, and what enforcement did about it. */
export const securityFindingSchema = z
  .object({
    findingId: identifier,
    groupId: z.string().regex(/^sg-[0-9a-f]{8,17}$/),
    ruleId: z.string().optional(),
    protocol: z.string().min(1),
    fromPort: z.number().int().min(-1).max(65535),
    toPort: z.number().int().min(-1).max(65535),
    cidr: z.string().min(1),
    reason: z.string().min(1),
    action: z.enum(['REVOKED', 'REPORTED']),
    sourceEventId: z.string().min(1),
    detectedAt: isoTimestamp,
  })
  .strict()
  .refine((finding) => finding.fromPort <= finding.toPort, {
    message: 'fromPort must not exceed toPort',
    path: ['toPort'],
  });
export type SecurityFinding = z.infer<typeof securityFindingSchema>;
