import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { sqsEvent, sqsRecord } from '../../../../src/testing';
import { asDelivered, awsSample, fieldPaths } from '../sample-shapes';

const sample = awsSample('sqs-receive-message');

describe('testing: SQS events', () => {
  it('are the SQS sample by default', () => {
    expect(fieldPaths(sqsEvent())).to.deep.equal(fieldPaths(sample));
    expect(asDelivered(sqsEvent())).to.deep.equal(sample);
  });

  it('sends an object body as JSON, with its MD5 as SQS computes it', () => {
    const record = sqsRecord({ body: { jobId: 'j-1' } });

    expect(record.body).to.equal('{"jobId":"j-1"}');
    expect(record.md5OfBody).to.equal(createHash('md5').update('{"jobId":"j-1"}').digest('hex'));
  });

  it("merges the attributes over the sample's, e.g. a message received before", () => {
    const record = sqsRecord({ attributes: { ApproximateReceiveCount: '3', MessageGroupId: 'g-1' } });

    expect(record.attributes).to.deep.equal({
      ApproximateReceiveCount: '3',
      SentTimestamp: '1523232000000',
      SenderId: '123456789012',
      ApproximateFirstReceiveTimestamp: '1523232000001',
      MessageGroupId: 'g-1',
    });
  });

  it('takes message attributes, a string as a String attribute', () => {
    const record = sqsRecord({
      messageAttributes: { kind: 'thumbnail', size: { stringValue: '3', dataType: 'Number' } },
    });

    expect(record.messageAttributes).to.deep.equal({
      kind: { stringValue: 'thumbnail', stringListValues: [], binaryListValues: [], dataType: 'String' },
      size: { stringValue: '3', dataType: 'Number' },
    });
  });

  it('gives each record of a batch its own message id and receipt handle', () => {
    const records = sqsEvent({ body: 'a' }, { body: 'b' }, { body: 'c' }).Records;

    expect(records.map((record) => record.body)).to.deep.equal(['a', 'b', 'c']);
    expect(new Set(records.map((record) => record.messageId)).size).to.equal(3);
    expect(new Set(records.map((record) => record.receiptHandle)).size).to.equal(3);
  });

  it('takes the message id, receipt handle and queue', () => {
    const record = sqsRecord({
      messageId: 'm-1',
      receiptHandle: 'r-1',
      queueArn: 'arn:aws:sqs:us-east-1:123456789012:jobs',
    });

    expect(record).to.include({
      messageId: 'm-1',
      receiptHandle: 'r-1',
      eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs',
    });
  });
});
