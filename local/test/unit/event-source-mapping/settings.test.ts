import { expect } from 'chai';
import { InvalidEventSourceMappingError } from '../../../src/triggers/event-source-mapping/errors';
import { parseEventSourceMapping } from '../../../src/triggers/event-source-mapping/settings';
import { DLQ_ARN, QUEUE_ARN, STREAM_ARN } from './fakes';

function rejection(
  properties: unknown,
  kind: 'kinesis' | 'dynamodb' | 'sqs',
): InvalidEventSourceMappingError {
  try {
    parseEventSourceMapping(properties, kind);
  } catch (error) {
    if (error instanceof InvalidEventSourceMappingError) return error;
    throw error;
  }
  throw new Error('expected the properties to be rejected');
}

describe('parseEventSourceMapping', () => {
  it('fills in the stream defaults of AWS', () => {
    const settings = parseEventSourceMapping(
      { EventSourceArn: STREAM_ARN, FunctionName: 'fn', StartingPosition: 'TRIM_HORIZON' },
      'kinesis',
    );

    expect(settings).to.deep.equal({
      sourceKind: 'kinesis',
      eventSourceArn: STREAM_ARN,
      functionName: 'fn',
      enabled: true,
      batchSize: 100,
      maximumBatchingWindowInSeconds: 0,
      startingPosition: 'TRIM_HORIZON',
      reportBatchItemFailures: false,
      bisectBatchOnFunctionError: false,
      maximumRetryAttempts: -1,
      maximumRecordAgeInSeconds: -1,
      filterPatterns: [],
      parallelizationFactor: 1,
      tumblingWindowInSeconds: 0,
    });
  });

  it('uses a batch size of 10 by default for SQS', () => {
    expect(parseEventSourceMapping({ EventSourceArn: QUEUE_ARN }, 'sqs').batchSize).to.equal(10);
  });

  it('reads every stream setting, numbers and booleans written as strings included', () => {
    const settings = parseEventSourceMapping(
      {
        StartingPosition: 'AT_TIMESTAMP',
        StartingPositionTimestamp: 1_700_000_000,
        BatchSize: '25',
        MaximumBatchingWindowInSeconds: 5,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: 'true',
        MaximumRetryAttempts: 2,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: DLQ_ARN } },
        FilterCriteria: { Filters: [{ Pattern: '{"data":{"kind":["click"]}}' }] },
        ParallelizationFactor: 4,
        TumblingWindowInSeconds: 120,
        Enabled: false,
      },
      'kinesis',
    );

    expect(settings).to.include({
      startingPosition: 'AT_TIMESTAMP',
      startingPositionTimestamp: 1_700_000_000,
      batchSize: 25,
      maximumBatchingWindowInSeconds: 5,
      reportBatchItemFailures: true,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 2,
      maximumRecordAgeInSeconds: 3600,
      onFailureDestination: DLQ_ARN,
      parallelizationFactor: 4,
      tumblingWindowInSeconds: 120,
      enabled: false,
    });
    expect(settings.filterPatterns).to.deep.equal([{ data: { kind: ['click'] } }]);
  });

  for (const [name, properties, path] of [
    ['a BatchSize of 0', { BatchSize: 0 }, 'BatchSize'],
    ['a BatchSize above 10000', { BatchSize: 10_001 }, 'BatchSize'],
    [
      'a batching window above 300 s',
      { MaximumBatchingWindowInSeconds: 301 },
      'MaximumBatchingWindowInSeconds',
    ],
    ['a ParallelizationFactor of 11', { ParallelizationFactor: 11 }, 'ParallelizationFactor'],
    ['a tumbling window above 900 s', { TumblingWindowInSeconds: 901 }, 'TumblingWindowInSeconds'],
    ['MaximumRetryAttempts below -1', { MaximumRetryAttempts: -2 }, 'MaximumRetryAttempts'],
    ['a record age between -1 and 60', { MaximumRecordAgeInSeconds: 30 }, 'MaximumRecordAgeInSeconds'],
    ['an unknown response type', { FunctionResponseTypes: ['Partial'] }, 'FunctionResponseTypes.0'],
    ['a pattern that is not JSON', { FilterCriteria: { Filters: [{ Pattern: '{data' }] } }, 'FilterCriteria'],
    [
      'a pattern that is not an object',
      { FilterCriteria: { Filters: [{ Pattern: '[1]' }] } },
      'FilterCriteria',
    ],
    ['an unknown starting position', { StartingPosition: 'OLDEST' }, 'StartingPosition'],
    [
      'a Lambda function as failure destination',
      { DestinationConfig: { OnFailure: { Destination: 'arn:aws:lambda:us-east-1:1:function:f' } } },
      'DestinationConfig.OnFailure.Destination',
    ],
    ['a BatchSize that is not an integer', { BatchSize: 2.5 }, 'BatchSize'],
  ] as const) {
    it(`rejects ${name}, naming the property`, () => {
      const error = rejection({ StartingPosition: 'LATEST', ...properties }, 'kinesis');

      expect(error.message).to.include(path).and.to.include('kinesis');
      expect(error.issues.map((issue) => issue.path).join(' ')).to.include(path);
    });
  }

  it('says what it got and what it expects', () => {
    expect(rejection({ StartingPosition: 'LATEST', BatchSize: 0 }, 'kinesis').message).to.include(
      'BatchSize must be an integer from 1 to 10000 (got 0)',
    );
  });

  it('requires a starting position for streams', () => {
    expect(rejection({}, 'dynamodb').issues).to.deep.include({
      path: 'StartingPosition',
      message: 'is required for a stream source (TRIM_HORIZON, LATEST or AT_TIMESTAMP)',
    });
  });

  it('accepts AT_TIMESTAMP only for Kinesis, and only with a timestamp', () => {
    expect(
      rejection({ StartingPosition: 'AT_TIMESTAMP', StartingPositionTimestamp: 1 }, 'dynamodb').message,
    ).to.include('AT_TIMESTAMP is supported only for Kinesis');
    expect(rejection({ StartingPosition: 'AT_TIMESTAMP' }, 'kinesis').message).to.include(
      'StartingPositionTimestamp',
    );
  });

  it('rejects stream-only settings on an SQS mapping', () => {
    const error = rejection(
      { BisectBatchOnFunctionError: true, DestinationConfig: { OnFailure: { Destination: DLQ_ARN } } },
      'sqs',
    );

    expect(error.issues.map((issue) => issue.path)).to.have.members([
      'BisectBatchOnFunctionError',
      'DestinationConfig',
    ]);
  });

  it('requires a batching window for an SQS batch size above 10, and at most 10 for FIFO queues', () => {
    expect(rejection({ BatchSize: 100 }, 'sqs').message).to.include('MaximumBatchingWindowInSeconds');
    expect(
      parseEventSourceMapping({ BatchSize: 100, MaximumBatchingWindowInSeconds: 1 }, 'sqs').batchSize,
    ).to.equal(100);
    expect(
      rejection(
        { EventSourceArn: `${QUEUE_ARN}.fifo`, BatchSize: 20, MaximumBatchingWindowInSeconds: 1 },
        'sqs',
      ).message,
    ).to.include('FIFO');
  });

  it('rejects properties that are not an object', () => {
    expect(rejection('BatchSize=10', 'sqs').message).to.include('must be an object');
  });
});
