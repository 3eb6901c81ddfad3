import { SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand } from '@aws-sdk/client-sqs';
import type { LocalClients } from '../cloud/clients';
import { LOCAL_REGION } from '../cloud/endpoints';
import { resourcesOfKind } from '../cloud/resource-kinds';
import type { AsyncInvoker } from '../lambda/async-invoker';
import { functionNameFromArn } from '../lambda/function-arn';
import { type Stack, tryResolve } from '../templates/stack';
import { createQueueConsumer } from './event-source-mapping/queue-consumer';
import { sqsQueueReader } from './event-source-mapping/readers';
import { parseEventSourceMapping } from './event-source-mapping/settings';

/**
 * SNS subscriptions of Lambda functions. The emulator delivers to SQS only, so each Lambda
 * subscription gets a hidden queue subscribed with the same filter policy; its messages are handed
 * to the function asynchronously, one notification per invocation, as SNS does, in the shape of
 * sns-notification.json.
 */
export async function startSnsLambdaSubscriptions(options: {
  stacks: ReadonlyMap<string, Stack>;
  clients: LocalClients;
  asyncInvoker: AsyncInvoker;
  log: (line: string) => void;
}): Promise<{ stop(): Promise<void> }> {
  const consumers: { stop(): Promise<void> }[] = [];
  for (const stack of options.stacks.values()) {
    for (const [logicalId, resource] of resourcesOfKind(stack, 'AWS::SNS::Subscription')) {
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
