import { randomBytes } from 'node:crypto';
import { decodeS3EventKey, encodeS3EventKey } from '@serverless-patterns/shared/s3-events';
import { resourcesOfKind } from '../cloud/resource-kinds';
import type { RunningS3Emulator } from '../emulators/s3/s3rver';
import type { AsyncInvoker } from '../lambda/async-invoker';
import { functionNameFromArn } from '../lambda/function-arn';
import { type Stack, tryResolve } from '../templates/stack';

/** One LambdaConfiguration of a bucket's NotificationConfiguration. */
export interface S3NotificationTarget {
  bucket: string;
  configurationId: string;
  /** e.g. s3:ObjectCreated:* or s3:ObjectRemoved:Delete */
  event: string;
  prefix?: string;
  suffix?: string;
  functionArn: string;
}

export interface ObjectChange {
  bucket: string;
  key: string;
  /** ObjectCreated:Put, ObjectCreated:Copy, ObjectRemoved:Delete, ... */
  eventName: string;
  size?: number;
  eTag?: string;
  versionId?: string;
}

interface LambdaConfiguration {
  Id?: string;
  Event: string;
  Function: string;
  Filter?: { S3Key?: { Rules?: { Name: string; Value: string }[] } };
}

/** Reads a bucket's resolved NotificationConfiguration; queue and topic targets are reported back, not dropped. */
export function notificationTargetsFrom(
  bucket: string,
  configuration:
    | {
        LambdaConfigurations?: LambdaConfiguration[];
        QueueConfigurations?: unknown[];
        TopicConfigurations?: unknown[];
      }
    | undefined,
): { targets: S3NotificationTarget[]; unsupported: string[] } {
  const unsupported: string[] = [];
  if (configuration?.QueueConfigurations?.length) unsupported.push(`${bucket}: S3 notifications to SQS`);
  if (configuration?.TopicConfigurations?.length) unsupported.push(`${bucket}: S3 notifications to SNS`);
  const targets = (configuration?.LambdaConfigurations ?? []).map((lambda, index) => {
    const rules = lambda.Filter?.S3Key?.Rules ?? [];
    const rule = (name: string) => rules.find((candidate) => candidate.Name.toLowerCase() === name)?.Value;
    const prefix = rule('prefix');
    const suffix = rule('suffix');
    return {
      bucket,
      configurationId: lambda.Id ?? `notification-${index + 1}`,
      event: lambda.Event,
      ...(prefix === undefined ? {} : { prefix }),
      ...(suffix === undefined ? {} : { suffix }),
      functionArn: lambda.Function,
    };
  });
  return { targets, unsupported };
}

/** `s3:ObjectCreated:*` matches `ObjectCreated:Put`; `s3:ObjectRemoved:Delete` matches only itself. */
export function targetMatches(target: S3NotificationTarget, change: ObjectChange): boolean {
  if (target.bucket !== change.bucket) return false;
  const [family, kind] = target.event.replace(/^s3:/, '').split(':');
  const [changeFamily, changeKind] = change.eventName.split(':');
  if (family !== changeFamily || (kind !== '*' && kind !== changeKind)) return false;
  if (target.prefix !== undefined && !change.key.startsWith(target.prefix)) return false;
  if (target.suffix !== undefined && !change.key.endsWith(target.suffix)) return false;
  return true;
}

let lastSequencer = 0n;

/** Sequencers grow for each event, as S3's do for one key (hex, compared after padding). */
export function nextSequencer(now: Date): string {
  const candidate = BigInt(now.getTime()) * 1_000_000n;
  lastSequencer = candidate > lastSequencer ? candidate : lastSequencer + 1n;
  return lastSequencer.toString(16).toUpperCase().padStart(18, '0');
}

/** The event S3 sends to Lambda, with the fields of AWS's own sample (s3-put.json). */
export function s3Event(
  target: S3NotificationTarget,
  change: ObjectChange,
  options: { region: string; now: Date },
) {
  const removed = change.eventName.startsWith('ObjectRemoved');
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: options.region,
        eventTime: options.now.toISOString(),
        eventName: change.eventName,
        userIdentity: { principalId: 'AWS:LOCAL' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: {
          'x-amz-request-id': randomBytes(8).toString('hex').toUpperCase(),
          'x-amz-id-2': randomBytes(32).toString('base64'),
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: target.configurationId,
          bucket: {
            name: change.bucket,
            ownerIdentity: { principalId: 'LOCAL' },
            arn: `arn:aws:s3:::${change.bucket}`,
          },
          object: {
            key: encodeS3EventKey(change.key),
            ...(removed ? {} : { size: change.size ?? 0, eTag: change.eTag ?? '' }),
            ...(change.versionId === undefined ? {} : { versionId: change.versionId }),
            sequencer: nextSequencer(options.now),
          },
        },
      },
    ],
  };
}

/** Every LambdaConfiguration of the templates' buckets; queue and topic targets become warnings. */
function bucketNotificationTargets(
  stacks: ReadonlyMap<string, Stack>,
  warnings: string[],
): S3NotificationTarget[] {
  const targets: S3NotificationTarget[] = [];
  for (const stack of stacks.values()) {
    for (const [logicalId, resource] of resourcesOfKind(stack, 'AWS::S3::Bucket')) {
      const bucket = stack.context.refs.get(logicalId) as string;
      const configuration = tryResolve(stack, resource.Properties?.NotificationConfiguration) as Parameters<
        typeof notificationTargetsFrom
      >[1];
      const found = notificationTargetsFrom(bucket, configuration);
      targets.push(...found.targets);
      warnings.push(...found.unsupported.map((what) => `${stack.service}: ${what} are not emulated`));
    }
  }
  return targets;
}

/**
 * The buckets' NotificationConfiguration, delivered as S3 does: each object event of the emulator
 * that a LambdaConfiguration matches is an asynchronous invocation. Returns the unsubscribe.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
 */
export function wireS3Notifications(options: {
  stacks: ReadonlyMap<string, Stack>;
  s3: RunningS3Emulator;
  asyncInvoker: AsyncInvoker;
  region: string;
  warnings: string[];
}): () => void {
  const targets = bucketNotificationTargets(options.stacks, options.warnings);
  return options.s3.onObjectEvent((event) => {
    for (const record of event.Records) {
      const change = {
        bucket: record.s3.bucket.name,
        key: decodeS3EventKey(record.s3.object.key),
        eventName: record.eventName,
        size: record.s3.object.size,
        eTag: record.s3.object.eTag,
        ...(record.s3.object.versionId ? { versionId: record.s3.object.versionId } : {}),
      };
      for (const target of targets.filter((candidate) => targetMatches(candidate, change))) {
        const functionName = functionNameFromArn(target.functionArn) ?? target.functionArn;
        options.asyncInvoker.invokeAsync(
          functionName,
          s3Event(target, change, { region: options.region, now: new Date() }),
        );
      }
    }
  });
}
