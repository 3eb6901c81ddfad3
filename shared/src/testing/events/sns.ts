import type { SNSEvent, SNSEventRecord, SNSMessageAttribute } from 'aws-lambda';
import { nthUuid } from './numbering';
import { payloadText } from './payload';

export interface SnsRecordOptions {
  /** A string is sent as it is; anything else as JSON. */
  message?: unknown;
  subject?: string;
  /** A string is a `String` attribute. */
  messageAttributes?: Record<string, string | SNSMessageAttribute>;
  topicArn?: string;
  messageId?: string;
  publishedAt?: Date;
}

// sns-notification.json; the subscription's record:
// https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
const SAMPLE_MESSAGE_ID = '95df01b4-ee98-5cb9-9903-4c221d41eb5e';

export function snsRecord(options: SnsRecordOptions = {}): SNSEventRecord {
  const {
    message = 'example message',
    subject = 'example subject',
    messageAttributes = {
      Test: { Type: 'String', Value: 'TestString' },
      TestBinary: { Type: 'Binary', Value: 'TestBinary' },
    },
    topicArn = 'arn:aws:sns:us-east-1:123456789012:ExampleTopic',
    messageId = SAMPLE_MESSAGE_ID,
    publishedAt = new Date(0),
  } = options;
  return {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: topicArn,
    Sns: {
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: topicArn,
      Subject: subject,
      Message: payloadText(message),
      Timestamp: publishedAt.toISOString(),
      SignatureVersion: '1',
      Signature: 'EXAMPLE',
      SigningCertUrl: 'EXAMPLE',
      UnsubscribeUrl: 'EXAMPLE',
      MessageAttributes: Object.fromEntries(
        Object.entries(messageAttributes).map(([name, value]) => [
          name,
          typeof value === 'string' ? { Type: 'String', Value: value } : value,
        ]),
      ),
    },
  };
}

/** One record per options, each with its own message id; none given: the sample's. */
export function snsEvent(...records: SnsRecordOptions[]): SNSEvent {
  return {
    Records: (records.length === 0 ? [{}] : records).map((options, index) =>
      snsRecord({ messageId: nthUuid(SAMPLE_MESSAGE_ID, index), ...options }),
    ),
  };
}
