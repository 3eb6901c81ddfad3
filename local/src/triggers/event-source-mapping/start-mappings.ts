import type { LocalClients } from '../../cloud/clients';
import { LOCAL_REGION } from '../../cloud/endpoints';
import { resourcesOfKind } from '../../cloud/resource-kinds';
import { functionArn, functionNameFromArn } from '../../lambda/function-arn';
import type { FailureDestination, LambdaInvoker } from '../../lambda/invoker';
import { type Stack, tryResolve } from '../../templates/stack';
import { matchesFilterCriteria } from '../eventbridge/event-pattern';
import type { PollPace } from './poller';
import { createQueueConsumer, type QueueMessage } from './queue-consumer';
import {
  dynamodbShardIds,
  dynamodbShardReader,
  kinesisShardIds,
  kinesisShardReader,
  sqsQueueReader,
} from './readers';
import { parseEventSourceMapping } from './settings';
import { createShardConsumer, type StreamRecord } from './stream-consumer';

export interface StreamWiringOptions {
  stacks: ReadonlyMap<string, Stack>;
  clients: LocalClients;
  invoker: LambdaInvoker;
  destinations: FailureDestination;
  queueUrlOf(queueArn: string): string | undefined;
  log: (line: string) => void;
  warnings: string[];
}

/**
 * Lambda polls a Kinesis shard once a second and a DynamoDB stream's shard 4 times a second (their base
 * rates). Locally a shard is read every 5 ms while records flow and for a second after the last one, so
 * that a burst is delivered as it comes; a shard that stays quiet is read less and less often, down to
 * once a second for both kinds, so that an idle cloud costs next to no CPU (each read is a GetRecords
 * call to kinesalite or DynamoDB Local; DynamoDB's 4 a second gave an idle cloud 11.3 % of a core, once
 * a second 6.3-8.7 %, one run each). A tumbling window's end wakes its shard whatever the pace (stream-consumer.ts).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 */
const LOCAL_POLL_PACE: PollPace = { fastestMs: 5, slowestMs: 1_000, quietAfterMs: 1_000 };
/**
 * Functions are what write the tables whose streams trigger other functions (a window's aggregates
 * raise its alerts), so when an invocation returns, a quiet table stream is read again, no sooner than
 * Lambda's own 4 reads a second: the next step starts within 250 ms instead of up to the quiet pace's
 * second, and an idle cloud still reads once a second.
 */
const TABLE_STREAM_PACE: PollPace = { ...LOCAL_POLL_PACE, wokenMs: 250 };
const SHARD_DISCOVERY_MS = 5_000;

/** Event source mappings (Kinesis, DynamoDB Streams, SQS) with AWS semantics. */
export async function startEventSourceMappings(
  options: StreamWiringOptions,
): Promise<{ stop(): Promise<void>; wakeTableStreams(): void }> {
  const { clients, log } = options;
  const consumers: { stop(): Promise<void> }[] = [];
  const tableStreamConsumers: { wake(): void }[] = [];
  const timers: NodeJS.Timeout[] = [];
  const logger = {
    debug: () => undefined,
    info: (message: string, details?: unknown) => log(`${message} ${JSON.stringify(details ?? {})}`),
    warn: (message: string, details?: unknown) => log(`${message} ${JSON.stringify(details ?? {})}`),
    error: (message: string, details?: unknown) => log(`${message} ${JSON.stringify(details ?? {})}`),
  };
  for (const stack of options.stacks.values()) {
    for (const [logicalId, resource] of resourcesOfKind(stack, 'AWS::Lambda::EventSourceMapping')) {
      const properties = tryResolve(stack, resource.Properties) as Record<string, unknown> | undefined;
      const sourceArn = String(properties?.EventSourceArn ?? '');
      const kind = sourceArn.startsWith('arn:aws:kinesis:')
        ? 'kinesis'
        : sourceArn.includes(':table/') && sourceArn.includes('/stream/')
          ? 'dynamodb'
          : sourceArn.startsWith('arn:aws:sqs:')
            ? 'sqs'
            : undefined;
      if (properties === undefined || kind === undefined) {
        options.warnings.push(
          `${stack.service}: ${logicalId} reads ${sourceArn || 'an unresolved source'}, which is not emulated`,
        );
        continue;
      }
      const settings = parseEventSourceMapping(properties, kind);
      if (!settings.enabled) continue;
      const functionName =
        functionNameFromArn(String(properties.FunctionName)) ?? String(properties.FunctionName);
      const arnOfFunction = functionArn(LOCAL_REGION, stack.context.accountId, functionName);
      const matches =
        settings.filterPatterns.length === 0
          ? undefined
          : (record: StreamRecord) =>
              matchesFilterCriteria(
                settings.filterPatterns,
                record.body,
                kind === 'kinesis' ? { dataField: 'data' } : {},
              );
      if (kind === 'sqs') {
        const queueUrl = options.queueUrlOf(sourceArn);
        if (queueUrl === undefined) throw new Error(`${logicalId}: queue ${sourceArn} is not provisioned`);
        const consumer = createQueueConsumer({
          settings,
          functionName,
          eventSourceArn: sourceArn,
          reader: sqsQueueReader(clients.sqs, queueUrl),
          invoker: options.invoker,
          ...(settings.filterPatterns.length === 0
            ? {}
            : {
                matches: (message: QueueMessage) =>
                  matchesFilterCriteria(
                    settings.filterPatterns,
                    { body: message.body },
                    { dataField: 'body' },
                  ),
              }),
          logger,
        });
        consumer.start();
        consumers.push(consumer);
        continue;
      }
      const started = new Set<string>();
      const discover = async () => {
        const shardIds =
          kind === 'kinesis'
            ? await kinesisShardIds(clients.kinesis, sourceArn.split('/').pop() as string)
            : await dynamodbShardIds(clients.dynamodbStreams, sourceArn);
        for (const shardId of shardIds.filter((id) => !started.has(id))) {
          started.add(shardId);
          const reader =
            kind === 'kinesis'
              ? kinesisShardReader(clients.kinesis, {
                  name: sourceArn.split('/').pop() as string,
                  arn: sourceArn,
                  shardId,
                  region: LOCAL_REGION,
                })
              : dynamodbShardReader(clients.dynamodbStreams, {
                  arn: sourceArn,
                  shardId,
                  region: LOCAL_REGION,
                });
          const consumer = createShardConsumer({
            settings,
            functionName,
            functionArn: arnOfFunction,
            eventSourceArn: sourceArn,
            shardId,
            reader,
            invoker: options.invoker,
            destination: options.destinations,
            ...(matches ? { matches } : {}),
            pace: kind === 'dynamodb' ? TABLE_STREAM_PACE : LOCAL_POLL_PACE,
            logger,
          });
          consumer.start();
          consumers.push(consumer);
          if (kind === 'dynamodb') tableStreamConsumers.push(consumer);
        }
      };
      await discover();
      timers.push(
        setInterval(
          () => void discover().catch((error: unknown) => log(`shard discovery: ${String(error)}`)),
          SHARD_DISCOVERY_MS,
        ),
      );
    }
  }
  return {
    wakeTableStreams() {
      for (const consumer of tableStreamConsumers) consumer.wake();
    },
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    },
  };
}
