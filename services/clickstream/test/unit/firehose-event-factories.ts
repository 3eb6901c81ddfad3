import type { Context, FirehoseTransformationEvent, FirehoseTransformationEventRecord } from 'aws-lambda';

// From AWS's sample Firehose data-transformation invocation (kinesis-kinesis-firehose.json, as
// `sam local generate-event` renders it); each record's data is base64, as Firehose sends it.
const SAMPLE_RECORD_ID = '49546986683135544286507457936321625675700192471156785154';

export function createFirehoseRecord(
  data: string,
  overrides: Partial<FirehoseTransformationEventRecord> = {},
): FirehoseTransformationEventRecord {
  return {
    recordId: SAMPLE_RECORD_ID,
    approximateArrivalTimestamp: 1495072949453,
    data: Buffer.from(data, 'utf8').toString('base64'),
    ...overrides,
  };
}

/** One record per payload, each with its own recordId (the sample's id with a different last digit). */
export function createFirehoseTransformationEvent(...payloads: string[]): FirehoseTransformationEvent {
  return {
    invocationId: 'invocationIdExample',
    deliveryStreamArn: 'arn:aws:kinesis:EXAMPLE',
    region: 'us-east-1',
    records: payloads.map((payload, index) =>
      createFirehoseRecord(payload, { recordId: `${SAMPLE_RECORD_ID.slice(0, -1)}${index}` }),
    ),
  };
}

export function createLambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'transform-clicks',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:transform-clicks',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: '/aws/lambda/transform-clicks',
    logStreamName: '2015/04/09/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}
