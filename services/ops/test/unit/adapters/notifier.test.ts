import type { PublishCommand, PublishCommandInput } from '@aws-sdk/client-sns';
import { expect } from 'chai';
import { createNotifier, type PublishClient } from '../../../src/adapters/notifier';

describe('notifier adapter', () => {
  it('publishes the alert on the topic with its kind as a message attribute', async () => {
    // Prepare
    const sent: PublishCommandInput[] = [];
    const client: PublishClient = {
      async send(command: PublishCommand) {
        sent.push(command.input);
        return { MessageId: 'a8f2c1d0-0000-4000-8000-000000000001', $metadata: {} };
      },
    };
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:ops-notifications';

    // Act
    await createNotifier(client, topicArn).publish({
      kind: 'security-finding',
      subject: 'Revoked 1 world-open ingress rule on sg-0a1b2c3d4e5f67890',
      message: 'Security group sg-0a1b2c3d4e5f67890 was opened to the internet.',
    });

    // Assess
    expect(sent).to.deep.equal([
      {
        TopicArn: topicArn,
        Subject: 'Revoked 1 world-open ingress rule on sg-0a1b2c3d4e5f67890',
        Message: 'Security group sg-0a1b2c3d4e5f67890 was opened to the internet.',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'security-finding' } },
      },
    ]);
  });
});
