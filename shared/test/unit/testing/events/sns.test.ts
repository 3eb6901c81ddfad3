import type { SNSEvent } from 'aws-lambda';
import { expect } from 'chai';
import { snsEvent, snsRecord } from '../../../../src/testing';
import { asDelivered, awsSample, fieldPaths } from '../sample-shapes';

const sample = awsSample<SNSEvent>('sns-notification');

describe('testing: SNS events', () => {
  it('are the SNS sample by default', () => {
    expect(fieldPaths(snsEvent())).to.deep.equal(fieldPaths(sample));
    expect(asDelivered(snsEvent())).to.deep.equal(sample);
  });

  it('sends an object message as JSON, with the subject, topic and time named', () => {
    const topicArn = 'arn:aws:sns:us-east-1:123456789012:alerts';

    const record = snsRecord({
      message: { deviceId: 'dev-1' },
      subject: 'Too hot',
      topicArn,
      publishedAt: new Date('2026-03-01T10:00:00.000Z'),
    });

    expect(record.EventSubscriptionArn).to.equal(topicArn);
    expect(record.Sns).to.include({
      Message: '{"deviceId":"dev-1"}',
      Subject: 'Too hot',
      TopicArn: topicArn,
      Timestamp: '2026-03-01T10:00:00.000Z',
    });
  });

  it('takes message attributes, a string as a String attribute', () => {
    const record = snsRecord({
      messageAttributes: { severity: 'high', count: { Type: 'Number', Value: '2' } },
    });

    expect(record.Sns.MessageAttributes).to.deep.equal({
      severity: { Type: 'String', Value: 'high' },
      count: { Type: 'Number', Value: '2' },
    });
  });

  it('gives each record its own message id', () => {
    const records = snsEvent({}, {}, { messageId: 'm-3' }).Records;

    const ids = records.map((record) => record.Sns.MessageId);
    expect(ids[0]).to.equal(sample.Records[0]?.Sns.MessageId);
    expect(ids[2]).to.equal('m-3');
    expect(new Set(ids).size).to.equal(3);
  });
});
