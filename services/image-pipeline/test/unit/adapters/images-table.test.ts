import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import type { ImageRecord } from '@serverless-patterns/shared/schemas/api';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createImagesTable } from '../../../src/adapters/images-table';

const RECORD: ImageRecord = {
  imageId: '0123456789abcdef0123456789abcdef',
  ownerId: 'owner-1',
  bucket: 'images',
  key: 'uploads/owner-1/photo.jpg',
  status: 'PROCESSING',
  createdAt: '2025-03-01T12:00:00.000Z',
  updatedAt: '2025-03-01T12:00:00.000Z',
};

/** An error as the SDK throws it: AWS's error code is its name. */
function namedError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

describe('images table', () => {
  const mocks = mockClientsInEachTest({ documentClient });
  const table = () => createImagesTable({ tableName: 'images-table' });

  it('puts the record only if no record has its image id', async () => {
    const outcome = await table().createIfAbsent(RECORD);

    expect(outcome).to.equal('created');
    expect(commandsSent(mocks.documentClient)).to.deep.equal([
      {
        name: 'PutCommand',
        input: {
          TableName: 'images-table',
          Item: RECORD,
          ConditionExpression: 'attribute_not_exists(imageId)',
        },
      },
    ]);
  });

  it('reports an existing record when the condition fails', async () => {
    mocks.documentClient.on(PutCommand).rejects(namedError('ConditionalCheckFailedException'));

    const outcome = await table().createIfAbsent(RECORD);

    expect(outcome).to.equal('exists');
  });

  it('lets any other failure through, so the invocation is retried', async () => {
    mocks.documentClient.on(PutCommand).rejects(namedError('ProvisionedThroughputExceededException'));

    const error = await table()
      .createIfAbsent(RECORD)
      .catch((caught: unknown) => caught);

    expect(error).to.have.property('name', 'ProvisionedThroughputExceededException');
  });

  it('updates only an existing record, and says the record is gone when there is none', async () => {
    mocks.documentClient.on(UpdateCommand).rejects(namedError('ConditionalCheckFailedException'));

    const outcome = await table().markFailed(
      RECORD.imageId,
      { error: 'States.Timeout', cause: 'timed out' },
      new Date('2025-03-01T12:01:00.000Z'),
    );

    expect(outcome).to.equal('gone');
    expect(commandsSent(mocks.documentClient)[0]?.input).to.deep.include({
      ConditionExpression: 'attribute_exists(imageId)',
      UpdateExpression:
        'SET #status = :status, #updatedAt = :updatedAt, #failure = :failure REMOVE #thumbnails',
    });
  });
});
