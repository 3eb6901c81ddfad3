import { PublishCommand } from '@aws-sdk/client-sns';
import type { SNSEvent } from 'aws-lambda';
import { expect } from 'chai';
import { fixtureSuite, type Invocation, uniqueId, waitFor } from './support';

describe('local cloud: SNS subscriptions of Lambda functions', () => {
  const fixture = fixtureSuite();

  // SNS invokes the function asynchronously with one notification per event, and only for messages
  // whose attributes match the subscription's filter policy.
  // https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
  // https://docs.aws.amazon.com/sns/latest/dg/sns-message-filtering.html
  it('delivers the messages that match the filter policy (kind=wanted), one notification per invocation', async () => {
    const topicArn = fixture.resource('FixtureTopic');
    const publish = (kind: string) => {
      const message = uniqueId(`sns-${kind}`);
      return fixture.aws.sns
        .send(
          new PublishCommand({
            TopicArn: topicArn,
            Message: message,
            Subject: 'fixture',
            MessageAttributes: { kind: { DataType: 'String', StringValue: kind } },
          }),
        )
        .then(({ MessageId }) => ({ message, messageId: MessageId }));
    };
    // The message that must not arrive goes first.
    const other = await publish('other');
    const wanted = [await publish('wanted'), await publish('wanted')];
    const messages = [other, ...wanted].map((published) => published.message);

    const ours = (all: Invocation[]) =>
      (all as unknown as SNSEvent[]).filter((event) =>
        event.Records.some((record) => messages.includes(record.Sns.Message)),
      );
    const events = ours(
      await waitFor(
        'both wanted messages',
        () => fixture.cloud.recordings('recordTopic'),
        (all) => ours(all).length >= 2,
      ),
    );

    expect(events.map((event) => event.Records.length)).to.deep.equal([1, 1]);
    const records = events.map((event) => event.Records[0]);
    expect(records.map((record) => record?.Sns.Message)).to.have.members(wanted.map((sent) => sent.message));
    for (const record of records) {
      const sent = wanted.find((candidate) => candidate.message === record?.Sns.Message);
      expect(record).to.include({ EventSource: 'aws:sns', EventVersion: '1.0' });
      expect(record?.Sns).to.include({
        Type: 'Notification',
        MessageId: sent?.messageId,
        TopicArn: topicArn,
        Subject: 'fixture',
      });
      expect(record?.Sns.MessageAttributes).to.deep.equal({ kind: { Type: 'String', Value: 'wanted' } });
    }
  });
});
