import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord } from 'aws-lambda';
import { nthNumericId } from './numbering';
import { payloadBase64 } from './payload';

export interface FirehoseRecordOptions {
  /** Bytes are sent as they are, a string as UTF-8, anything else as JSON; the record carries base64. */
  data?: unknown;
  recordId?: string;
  arrivedAt?: Date;
}

// kinesis-kinesis-firehose.json; a data-transformation invocation:
// https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
const SAMPLE_RECORD_ID = '49546986683135544286507457936321625675700192471156785154';

export function firehoseRecord(options: FirehoseRecordOptions = {}): FirehoseTransformationEventRecord {
  const {
    data = 'Hello, this is a test 123.',
    recordId = SAMPLE_RECORD_ID,
    arrivedAt = new Date(1495072949453),
  } = options;
  // Milliseconds since the epoch, unlike Kinesis Data Streams' seconds.
  return { recordId, approximateArrivalTimestamp: arrivedAt.getTime(), data: payloadBase64(data) };
}

/**
 * One record per options, each with its own record id; none given: the sample's record. The delivery
 * stream and invocation are the sample's: spread the result to change them.
 */
export function firehoseTransformationEvent(
  ...records: FirehoseRecordOptions[]
): FirehoseTransformationEvent {
  return {
    invocationId: 'invocationIdExample',
    deliveryStreamArn: 'arn:aws:kinesis:EXAMPLE',
    region: 'us-east-1',
    records: (records.length === 0 ? [{}] : records).map((options, index) =>
      firehoseRecord({ recordId: nthNumericId(SAMPLE_RECORD_ID, index), ...options }),
    ),
  };
}
