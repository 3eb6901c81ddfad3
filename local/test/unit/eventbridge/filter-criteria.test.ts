import { expect } from 'chai';
import { InvalidEventPatternError } from '../../../src/triggers/eventbridge/errors';
import { matchesFilterCriteria } from '../../../src/triggers/eventbridge/event-pattern';

// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
function kinesisRecord(data: string, partitionKey = '1') {
  return {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber: '49590338271490256608559692538361571095921575989136588898',
      data: Buffer.from(data, 'utf8').toString('base64'),
      approximateArrivalTimestamp: 1545084650.987,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: 'shardId-000000000006:49590338271490256608559692538361571095921575989136588898',
    eventName: 'aws:kinesis:record',
    awsRegion: 'us-east-2',
    eventSourceARN: 'arn:aws:kinesis:us-east-2:123456789012:stream/lambda-stream',
  };
}

function sqsRecord(body: string) {
  return {
    messageId: '059f36b4-87a3-44ab-83d2-661975830a7d',
    receiptHandle: 'AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...',
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1545082649183' },
    messageAttributes: {},
    md5OfBody: 'e4e68fb7bd0e697a0ae8f1bb342846b3',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-west-2:123456789012:my-queue',
    awsRegion: 'us-west-2',
  };
}

const reading = JSON.stringify({ City: 'Seattle', State: 'WA', Temperature: 46, Location: 'Los Angeles' });

describe('matchesFilterCriteria', () => {
  describe('Kinesis (data is base64 JSON)', () => {
    it('decodes the data before matching it', () => {
      const patterns = [{ data: { Temperature: [{ numeric: ['>', 40, '<=', 60] }] } }];

      expect(matchesFilterCriteria(patterns, kinesisRecord(reading), { dataField: 'data' })).to.equal(true);
      expect(
        matchesFilterCriteria(patterns, kinesisRecord(JSON.stringify({ Temperature: 70 })), {
          dataField: 'data',
        }),
      ).to.equal(false);
    });

    it('matches metadata properties and data properties together', () => {
      const patterns = ['{ "partitionKey": [ "1" ], "data": { "Location": [ "Los Angeles" ] }}'];

      expect(matchesFilterCriteria(patterns, kinesisRecord(reading, '1'), { dataField: 'data' })).to.equal(
        true,
      );
      expect(matchesFilterCriteria(patterns, kinesisRecord(reading, '2'), { dataField: 'data' })).to.equal(
        false,
      );
    });

    it('drops a record whose data is not JSON when the pattern filters on data', () => {
      const record = kinesisRecord('plain text reading');

      expect(
        matchesFilterCriteria([{ data: { City: ['Seattle'] } }], record, { dataField: 'data' }),
      ).to.equal(false);
      expect(matchesFilterCriteria([{ partitionKey: ['1'] }], record, { dataField: 'data' })).to.equal(true);
    });

    it('refuses a plain-value pattern for data, as Lambda does when the mapping is created', () => {
      expect(() =>
        matchesFilterCriteria([{ data: ['text'] }], kinesisRecord(reading), { dataField: 'data' }),
      ).to.throw(InvalidEventPatternError, /Kinesis "data"/);
    });

    it('also accepts the inner kinesis object as the record', () => {
      const { kinesis } = kinesisRecord(reading);

      expect(matchesFilterCriteria([{ data: { State: ['WA'] } }], kinesis, { dataField: 'data' })).to.equal(
        true,
      );
    });
  });

  describe('SQS (body is JSON or a plain string)', () => {
    it('matches a JSON body against a JSON pattern', () => {
      const patterns = [{ body: { RequestCode: ['AAAA'] } }];

      expect(
        matchesFilterCriteria(patterns, sqsRecord('{"RecordNumber":1234,"RequestCode":"AAAA"}'), {
          dataField: 'body',
        }),
      ).to.equal(true);
      expect(
        matchesFilterCriteria(patterns, sqsRecord('{"RequestCode":"BBBB"}'), { dataField: 'body' }),
      ).to.equal(false);
    });

    it('matches a plain string body against a plain-value pattern', () => {
      const patterns = [{ body: [{ prefix: 'ERROR' }] }];

      expect(matchesFilterCriteria(patterns, sqsRecord('ERROR: disk full'), { dataField: 'body' })).to.equal(
        true,
      );
      expect(matchesFilterCriteria(patterns, sqsRecord('INFO: all good'), { dataField: 'body' })).to.equal(
        false,
      );
    });

    it('drops the message when the body and the pattern disagree on format', () => {
      expect(
        matchesFilterCriteria([{ body: { a: ['b'] } }], sqsRecord('a=b'), { dataField: 'body' }),
      ).to.equal(false);
      expect(
        matchesFilterCriteria([{ body: [{ prefix: '{' }] }], sqsRecord('{"a":"b"}'), { dataField: 'body' }),
      ).to.equal(false);
    });

    it('filters on metadata only when no pattern names the body', () => {
      const patterns = [{ attributes: { ApproximateReceiveCount: ['1'] } }];

      expect(matchesFilterCriteria(patterns, sqsRecord('anything'), { dataField: 'body' })).to.equal(true);
    });
  });

  it('passes a record that any of the filters matches (OR)', () => {
    const patterns = [{ body: { kind: ['a'] } }, { body: { kind: ['b'] } }];

    expect(matchesFilterCriteria(patterns, sqsRecord('{"kind":"b"}'), { dataField: 'body' })).to.equal(true);
    expect(matchesFilterCriteria(patterns, sqsRecord('{"kind":"c"}'), { dataField: 'body' })).to.equal(false);
  });

  it('passes every record when there are no filters', () => {
    expect(matchesFilterCriteria([], sqsRecord('x'), { dataField: 'body' })).to.equal(true);
  });

  it('matches DynamoDB stream records as they are', () => {
    const record = {
      eventName: 'INSERT',
      dynamodb: { Keys: { Id: { N: '101' } }, NewImage: { Message: { S: 'New item!' } } },
    };

    expect(matchesFilterCriteria([{ dynamodb: { Keys: { Id: { N: ['101'] } } } }], record)).to.equal(true);
    expect(matchesFilterCriteria([{ eventName: ['REMOVE'] }], record)).to.equal(false);
  });
});
