import { createHash } from 'node:crypto';
import type { SQSEvent, SQSMessageAttribute, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { nthUuid } from './numbering';
import { payloadText } from './payload';

export interface SqsRecordOptions {
  /** A string is sent as it is; anything else as JSON. */
  body?: unknown;
  messageId?: string;
  receiptHandle?: string;
  /** Merged over the sample's, e.g. `{ ApproximateReceiveCount: '3' }` for a message seen twice before. */
  attributes?: Partial<SQSRecordAttributes>;
  /** A string is a `String` attribute. */
  messageAttributes?: Record<string, string | SQSMessageAttribute>;
  queueArn?: string;
}

// sqs-receive-message.json; the event source mapping's record:
// https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
const SAMPLE_MESSAGE_ID = '19dd0b57-b21e-4ac1-bd88-01bbb068cb78';
const SAMPLE_RECEIPT_HANDLE = 'MessageReceiptHandle';

export function sqsRecord(options: SqsRecordOptions = {}): SQSRecord {
  const {
    body = 'Hello from SQS!',
    messageId = SAMPLE_MESSAGE_ID,
    receiptHandle = SAMPLE_RECEIPT_HANDLE,
    attributes,
    messageAttributes = {},
    queueArn = 'arn:aws:sqs:us-east-1:123456789012:my-queue',
  } = options;
  const text = payloadText(body);
  return {
    messageId,
    receiptHandle,
    body: text,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '1523232000000',
      SenderId: '123456789012',
      ApproximateFirstReceiveTimestamp: '1523232000001',
      ...attributes,
    },
    messageAttributes: Object.fromEntries(
      Object.entries(messageAttributes).map(([name, value]) => [name, sqsMessageAttribute(value)]),
    ),
    md5OfBody: createHash('md5').update(text).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/** One record per options, each with its own message id and receipt handle; none given: the sample's. */
export function sqsEvent(...records: SqsRecordOptions[]): SQSEvent {
  return {
    Records: (records.length === 0 ? [{}] : records).map((options, index) =>
      sqsRecord({
        messageId: nthUuid(SAMPLE_MESSAGE_ID, index),
        receiptHandle: index === 0 ? SAMPLE_RECEIPT_HANDLE : `${SAMPLE_RECEIPT_HANDLE}${index}`,
        ...options,
      }),
    ),
  };
}

/** The shape Lambda passes a string attribute in, list fields included. */
function sqsMessageAttribute(value: string | SQSMessageAttribute): SQSMessageAttribute {
  return typeof value === 'string'
    ? { stringValue: value, stringListValues: [], binaryListValues: [], dataType: 'String' }
    : value;
}
