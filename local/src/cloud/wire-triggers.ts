import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import { findFreePort } from '../emulators/emulator';
import type { AsyncInvoker } from '../lambda/async-invoker';
import { functionArn, functionNameFromArn } from '../lambda/function-arn';
import type { FailureDestination, LambdaInvoker } from '../lambda/invoker';
import { activeResources, type Stack, tryResolve } from '../templates/stack';
import { createQueueConsumer, type QueueMessage } from '../triggers/event-source-mapping/queue-consumer';
import {
  dynamodbShardIds,
  dynamodbShardReader,
  kinesisShardIds,
  kinesisShardReader,
  sqsQueueReader,
} from '../triggers/event-source-mapping/readers';
import { parseEventSourceMapping } from '../triggers/event-source-mapping/settings';
import { createShardConsumer, type StreamRecord } from '../triggers/event-source-mapping/stream-consumer';
import { createEventBus, startEventBusServer } from '../triggers/eventbridge/event-bus';
import { matchesFilterCriteria } from '../triggers/eventbridge/event-pattern';
import { type EventRule, rulesFromTemplate } from '../triggers/eventbridge/rules';
import { createScheduler, type Scheduler } from '../triggers/eventbridge/scheduler';
import { createTargetDelivery, systemTimer, targetWarnings } from '../triggers/eventbridge/target-delivery';
import type { LocalClients } from './clients';
import { LOCAL_REGION } from './endpoints';

export interface EventBridgeWiring {
  endpoint: string;
  rules: EventRule[];
  /** Starts the schedules; called once the functions can be invoked. */
  start(invoker: AsyncInvoker, destinations: FailureDestination): void;
  /** Fires a scheduled rule now (npm run trigger). */
  fireNow(ruleName: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** The rules of every template, resolved, with the physical names of rules that set none. */
function collectRules(stacks: Map<string, Stack>): EventRule[] {
  const rules: EventRule[] = [];
  for (const stack of stacks.values()) {
    const resources = Object.fromEntries(
      activeResources(stack)
        .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
        .map(([logicalId, resource]) => [
          logicalId,
          {
            Type: resource.Type,
            Properties: tryResolve(stack, resource.Properties) as Record<string, unknown>,
          },
        ]),
    );
    rules.push(
      ...rulesFromTemplate(resources, {
        region: LOCAL_REGION,
        accountId: stack.context.accountId,
        nameOf: (logicalId) => stack.context.refs.get(logicalId),
      }),
    );
  }
  return rules;
}

/**
 * EventBridge: a local bus that accepts PutEvents (its endpoint goes into every function's
 * AWS_ENDPOINT_URL_EVENTBRIDGE) and the scheduled rules. Targets are Lambda functions, invoked
 * asynchronously as EventBridge does, so Lambda's own retries and destinations apply.
 */
export async function startEventBridge(
  stacks: Map<string, Stack>,
  warnings: string[],
  preferredPort?: number,
): Promise<EventBridgeWiring> {
  const rules = collectRules(stacks);
  warnings.push(...targetWarnings(rules));
  let asyncTargets: LambdaInvoker | undefined;
  let deadLetters: FailureDestination | undefined;
  const invoker: LambdaInvoker = {
    async invoke(functionName, payload) {
      if (asyncTargets === undefined) throw new Error('EventBridge targets are not ready yet');
      return asyncTargets.invoke(functionName, payload);
    },
  };
  const failureDestination: FailureDestination = {
    send: (arn, message) =>
      deadLetters ? deadLetters.send(arn, message) : Promise.reject(new Error('not ready')),
  };
  const delivery = createTargetDelivery({ invoker, failureDestination, setTimer: systemTimer });
  const bus = createEventBus({ rules, onEvent: (rule, event) => delivery.deliverToRule(rule, event) });
  const server = await startEventBusServer({ bus, port: await findFreePort(preferredPort) });
  let scheduler: Scheduler | undefined;
  return {
    endpoint: server.url,
    rules,
    start(asyncInvoker, destinations) {
      // Handing the event to Lambda's asynchronous queue is what EventBridge's delivery does.
      asyncTargets = {
        async invoke(functionName, payload) {
          asyncInvoker.invokeAsync(functionName, payload);
          return { payload: undefined };
        },
      };
      deadLetters = destinations;
      scheduler = createScheduler({
        rules,
        invoker,
        failureDestination,
        clock: () => new Date(),
        setTimer: systemTimer,
      });
      scheduler.start();
    },
    async fireNow(ruleName) {
      if (scheduler === undefined) throw new Error('the schedules have not started');
      return scheduler.fireNow(ruleName);
    },
    async stop() {
      scheduler?.stop();
      await scheduler?.idle();
      await bus.idle();
      await server.close();
    },
  };
}

export interface StreamWiringOptions {
  stacks: Map<string, Stack>;
  clients: LocalClients;
  invoker: LambdaInvoker;
  destinations: FailureDestination;
  queueUrlOf(queueArn: string): string | undefined;
  log: (line: string) => void;
  warnings: string[];
}

/** Lambda polls a shard about once a second; locally a quicker poll keeps triggers snappy. */
const LOCAL_POLL_INTERVAL_MS = 5;
const SHARD_DISCOVERY_MS = 5_000;

/** Event source mappings (Kinesis, DynamoDB Streams, SQS) with AWS semantics. */
export async function startEventSourceMappings(
  options: StreamWiringOptions,
): Promise<{ stop(): Promise<void> }> {
  const { clients, log } = options;
  const consumers: { stop(): Promise<void> }[] = [];
  const timers: NodeJS.Timeout[] = [];
  const logger = {
    debug: () => undefined,
    info: (message: string, details?: unknown) => log(`${message} ${JSON.stringify(details ?? {})}`),
    warn: (message: string, details?: unknown) => log(`${message} ${JSON.stringify(details ?? {})}`),
    error: (message: string, details?: unknown) => log(`${message} ${JSON.stringify(details ?? {})}`),
  };
  for (const stack of options.stacks.values()) {
    for (const [logicalId, resource] of activeResources(stack)) {
      if (resource.Type !== 'AWS::Lambda::EventSourceMapping') continue;
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
            pollIntervalMs: LOCAL_POLL_INTERVAL_MS,
            logger,
          });
          consumer.start();
          consumers.push(consumer);
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
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await Promise.all(consumers.map((consumer) => consumer.stop()));
    },
  };
}

/**
 * SNS subscriptions of Lambda functions. The emulator delivers to SQS only, so each Lambda
 * subscription gets a hidden queue subscribed with the same filter policy; its messages are handed
 * to the function asynchronously, one notification per invocation, as SNS does, in the shape of
 * sns-notification.json.
 */
export async function startSnsLambdaSubscriptions(options: {
  stacks: Map<string, Stack>;
  clients: LocalClients;
  asyncInvoker: AsyncInvoker;
  log: (line: string) => void;
}): Promise<{ stop(): Promise<void> }> {
  const consumers: { stop(): Promise<void> }[] = [];
  for (const stack of options.stacks.values()) {
    for (const [logicalId, resource] of activeResources(stack)) {
      if (resource.Type !== 'AWS::SNS::Subscription') continue;
      const properties = tryResolve(stack, resource.Properties) as Record<string, unknown> | undefined;
      if (properties?.Protocol !== 'lambda') continue;
      const topicArn = String(properties.TopicArn);
      const functionName = functionNameFromArn(String(properties.Endpoint)) ?? String(properties.Endpoint);
      const queueName = `${stack.stackName}-${logicalId}`.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 80);
      const { QueueUrl } = await options.clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
      const queueArn = `arn:aws:sqs:${LOCAL_REGION}:${stack.context.accountId}:${queueName}`;
      const { SubscriptionArn } = await options.clients.sns.send(
        new SubscribeCommand({
          TopicArn: topicArn,
          Protocol: 'sqs',
          Endpoint: queueArn,
          ReturnSubscriptionArn: true,
          Attributes: properties.FilterPolicy
            ? { FilterPolicy: JSON.stringify(properties.FilterPolicy) }
            : {},
        }),
      );
      const consumer = createQueueConsumer({
        settings: parseEventSourceMapping({ BatchSize: 1 }, 'sqs'),
        functionName,
        eventSourceArn: queueArn,
        reader: sqsQueueReader(options.clients.sqs, QueueUrl as string),
        invoker: {
          async invoke(name, payload) {
            options.asyncInvoker.invokeAsync(name, payload);
            return { payload: undefined };
          },
        },
        toEvent: (messages) => ({
          Records: messages.map((message) => snsRecord(JSON.parse(message.body), String(SubscriptionArn))),
        }),
      });
      consumer.start();
      consumers.push(consumer);
    }
  }
  return { stop: async () => void (await Promise.all(consumers.map((consumer) => consumer.stop()))) };
}

interface SnsEnvelope {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Subject?: string;
  Message: string;
  Timestamp: string;
  SignatureVersion?: string;
  Signature?: string;
  SigningCertURL?: string;
  UnsubscribeURL?: string;
  MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

function snsRecord(envelope: SnsEnvelope, subscriptionArn: string) {
  return {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: subscriptionArn,
    Sns: {
      Type: envelope.Type,
      MessageId: envelope.MessageId,
      TopicArn: envelope.TopicArn,
      Subject: envelope.Subject ?? null,
      Message: envelope.Message,
      Timestamp: envelope.Timestamp,
      SignatureVersion: envelope.SignatureVersion ?? '1',
      Signature: envelope.Signature ?? 'LOCAL',
      SigningCertUrl: envelope.SigningCertURL ?? '',
      UnsubscribeUrl: envelope.UnsubscribeURL ?? '',
      MessageAttributes: envelope.MessageAttributes ?? {},
    },
  };
}
