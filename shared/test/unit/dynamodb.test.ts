import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { documentClient } from '../../src/clients/dynamodb';
import {
  countAll,
  isConditionFailure,
  queryAll,
  scanAll,
  writtenUnlessConditionFails,
} from '../../src/dynamodb';
import { commandsSent, mockClientsInEachTest } from '../../src/testing';

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

const cancelled = (...codes: string[]) =>
  new TransactionCanceledException({
    message: 'Transaction cancelled',
    $metadata: {},
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

describe('DynamoDB helpers', () => {
  describe('isConditionFailure', () => {
    it('is true for a failed condition, on a single write or in a transaction', () => {
      expect(isConditionFailure(conditionFailed())).to.equal(true);
      expect(isConditionFailure(cancelled('None', 'ConditionalCheckFailed'))).to.equal(true);
    });

    it('is false for a transaction cancelled for another reason, and for other errors', () => {
      expect(isConditionFailure(cancelled('None', 'TransactionConflict'))).to.equal(false);
      expect(isConditionFailure(new Error('ConditionalCheckFailedException'))).to.equal(false);
      expect(isConditionFailure('ConditionalCheckFailedException')).to.equal(false);
    });
  });

  describe('with the shared document client mocked', () => {
    const mocks = mockClientsInEachTest({ documentClient });
    const put = () => documentClient.send(new PutCommand({ TableName: 't', Item: { pk: 'a' } }));

    it('writtenUnlessConditionFails: true when written, false when the condition did not hold', async () => {
      mocks.documentClient.on(PutCommand).resolvesOnce({}).rejectsOnce(conditionFailed());

      expect(await writtenUnlessConditionFails(put)).to.equal(true);
      expect(await writtenUnlessConditionFails(put)).to.equal(false);
    });

    it('writtenUnlessConditionFails: other errors are the caller’s to see', async () => {
      mocks.documentClient.on(PutCommand).rejects(cancelled('ThrottlingError'));

      const failure = await writtenUnlessConditionFails(put).catch((error: unknown) => error);

      expect(failure).to.be.instanceOf(TransactionCanceledException);
    });

    it('queryAll follows LastEvaluatedKey until the last page', async () => {
      mocks.documentClient
        .on(QueryCommand)
        .resolvesOnce({ Items: [{ sk: '1' }, { sk: '2' }], LastEvaluatedKey: { sk: '2' } })
        .resolvesOnce({ Items: [{ sk: '3' }], LastEvaluatedKey: { sk: '3' } })
        .resolvesOnce({ Items: [] });

      const input = {
        TableName: 't',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'a' },
      };

      const items = await queryAll(documentClient as DynamoDBDocumentClient, input);

      expect(items).to.deep.equal([{ sk: '1' }, { sk: '2' }, { sk: '3' }]);
      expect(commandsSent(mocks.documentClient)).to.have.length(3);
      expect(input).to.not.have.property('ExclusiveStartKey');
    });

    it('scanAll follows LastEvaluatedKey until the last page, leaving the input as it was', async () => {
      mocks.documentClient
        .on(ScanCommand)
        .resolvesOnce({ Items: [{ pk: 'a' }], LastEvaluatedKey: { pk: 'a' } })
        .resolvesOnce({ Items: [{ pk: 'b' }] });
      const input = { TableName: 't' };

      const items = await scanAll(documentClient as DynamoDBDocumentClient, input);

      expect(items).to.deep.equal([{ pk: 'a' }, { pk: 'b' }]);
      expect(commandsSent(mocks.documentClient)).to.have.length(2);
      expect(input).to.not.have.property('ExclusiveStartKey');
    });

    it('countAll adds the counts of every page of a COUNT scan', async () => {
      mocks.documentClient
        .on(ScanCommand)
        .resolvesOnce({ Count: 2, LastEvaluatedKey: { pk: 'b' } })
        .resolvesOnce({ Count: 5 });

      const count = await countAll(documentClient as DynamoDBDocumentClient, { TableName: 't' });

      expect(count).to.equal(7);
      const sent = commandsSent(mocks.documentClient).map(({ input }) => input as ScanCommandInput);
      expect(sent.map((input) => input.Select)).to.deep.equal(['COUNT', 'COUNT']);
    });
  });
});
