import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { sns } from '@serverless-patterns/shared/clients/sns';
import type { AlertNotifier } from '../core/alert-raiser';

/**
 * The alerts topic (serverless.yml, AlertsTopic). Owner, device and kind travel as message attributes,
 * so that a subscription filters on them (a phone app subscribed to its owner's alerts only).
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
 */
export function createAlertsTopic({
  client = sns,
  topicArn,
}: {
  client?: Pick<SNSClient, 'send'>;
  topicArn: string;
}): AlertNotifier {
  return {
    async publish(alert) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: `Thermostat ${alert.deviceId}: ${alert.average} °C above ${alert.thresholdC} °C`,
          Message: JSON.stringify(alert),
          MessageAttributes: {
            ownerId: { DataType: 'String', StringValue: alert.ownerId },
            deviceId: { DataType: 'String', StringValue: alert.deviceId },
            kind: { DataType: 'String', StringValue: alert.kind },
          },
        }),
      );
    },
  };
}
