import { sns } from '@serverless-patterns/shared/clients/sns';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createNotifier } from '../../../src/adapters/notifier';

describe('notifier adapter', () => {
  const mocks = mockClientsInEachTest({ sns });

  it('publishes the alert on the topic with its kind as a message attribute', async () => {
    // Prepare
    const topicArn = 'arn:aws:sns:eu-west-1:123456789012:ops-notifications';

    // Act
    await createNotifier({ topicArn }).publish({
      kind: 'security-finding',
      subject: 'Revoked 1 world-open ingress rule on sg-0a1b2c3d4e5f67890',
      message: 'Security group sg-0a1b2c3d4e5f67890 was opened to the internet.',
    });

    // Assess
    expect(commandsSent(mocks.sns)).to.deep.equal([
      {
        name: 'PublishCommand',
        input: {
          TopicArn: topicArn,
          Subject: 'Revoked 1 world-open ingress rule on sg-0a1b2c3d4e5f67890',
          Message: 'Security group sg-0a1b2c3d4e5f67890 was opened to the internet.',
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'security-finding' } },
        },
      },
    ]);
  });
});
