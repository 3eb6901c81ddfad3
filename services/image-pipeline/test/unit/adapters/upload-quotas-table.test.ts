import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createUploadQuotasTable } from '../../../src/adapters/upload-quotas-table';

const EXPIRES_AT = new Date('2026-12-01T00:00:00.000Z');

describe('upload quotas table', () => {
  const mocks = mockClientsInEachTest({ documentClient });
  const table = () => createUploadQuotasTable({ tableName: 'quotas-table' });

  it('adds one to the day’s count in one conditional write, and gives the new count', async () => {
    mocks.documentClient.on(UpdateCommand).resolves({ Attributes: { uploads: 7 } });

    const count = await table().take('owner-1', '2026-11-29', 100, EXPIRES_AT);

    expect(count).to.equal(7);
    expect(commandsSent(mocks.documentClient)).to.deep.equal([
      {
        name: 'UpdateCommand',
        input: {
          TableName: 'quotas-table',
          Key: { ownerId: 'owner-1', day: '2026-11-29' },
          UpdateExpression: 'ADD uploads :one SET expiresAt = :expiresAt',
          ConditionExpression: 'attribute_not_exists(uploads) OR uploads < :limit',
          ExpressionAttributeValues: { ':one': 1, ':limit': 100, ':expiresAt': 1_796_083_200 },
          ReturnValues: 'UPDATED_NEW',
        },
      },
    ]);
  });

  it('says the quota is exhausted when the condition fails', async () => {
    mocks.documentClient.on(UpdateCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );

    expect(await table().take('owner-1', '2026-11-29', 100, EXPIRES_AT)).to.equal('exhausted');
  });

  it('lets any other failure through (a 500: the upload was neither counted nor refused)', async () => {
    mocks.documentClient
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));

    const error = await table()
      .take('owner-1', '2026-11-29', 100, EXPIRES_AT)
      .catch((caught: unknown) => caught);

    expect(error).to.have.property('name', 'ProvisionedThroughputExceededException');
  });
});
