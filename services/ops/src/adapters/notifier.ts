import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { sns } from '@serverless-patterns/shared/clients/sns';
import type { Notifier } from '../core/security-policy-enforcer';

/**
 * Alerts on the ops topic. `kind` is a message attribute so that subscribers can filter on it.
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
 */
export function createNotifier({
  client = sns,
  topicArn,
}: {
  client?: SNSClient;
  topicArn: string;
}): Notifier {
  return {
    async publish(alert) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: alert.subject,
          Message: alert.message,
          MessageAttributes: { kind: { DataType: 'String', StringValue: alert.kind } },
        }),
      );
    },
  };
}
