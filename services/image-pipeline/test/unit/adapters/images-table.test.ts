import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import type { ImageRecord } from '@serverless-patterns/shared/schemas/api';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createImagesTable } from '../../../src/adapters/images-table';
import { FAILURE_MESSAGES } from '../../../src/core/images';

const RECORD: ImageRecord = {
  imageId: '0123456789abcdef0123456789abcdef',
  ownerId: 'owner-1',
  bucket: 'images',
  key: 'uploads/owner-1/upload-1/photo.jpg',
  versionId: 'v1',
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

  it('reports which version an existing record is of when the condition fails, read consistently', async () => {
    mocks.documentClient.on(PutCommand).rejects(namedError('ConditionalCheckFailedException'));
    mocks.documentClient.on(GetCommand).resolves({ Item: { ...RECORD, versionId: 'v0' } });

    const outcome = await table().createIfAbsent(RECORD);

    expect(outcome).to.deep.equal({ existing: { versionId: 'v0' } });
    expect(commandsSent(mocks.documentClient)[1]).to.deep.equal({
      name: 'GetCommand',
      input: {
        TableName: 'images-table',
        Key: { imageId: RECORD.imageId },
        ConsistentRead: true,
        ProjectionExpression: 'versionId',
      },
    });
  });

  it('deletes a record written again only while it is still that PROCESSING record', async () => {
    await table().deleteIfUnchanged(RECORD);
    mocks.documentClient.on(DeleteCommand).rejects(namedError('ConditionalCheckFailedException'));
    await table().deleteIfUnchanged(RECORD);

    expect(commandsSent(mocks.documentClient)[0]).to.deep.equal({
      name: 'DeleteCommand',
      input: {
        TableName: 'images-table',
        Key: { imageId: RECORD.imageId },
        ConditionExpression: '#status = :processing AND createdAt = :createdAt',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':processing': 'PROCESSING', ':createdAt': RECORD.createdAt },
      },
    });
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
      { code: 'ProcessingTimedOut', message: FAILURE_MESSAGES.ProcessingTimedOut },
      undefined,
      new Date('2025-03-01T12:01:00.000Z'),
    );

    expect(outcome).to.equal('gone');
    expect(commandsSent(mocks.documentClient)[0]?.input).to.deep.include({
      ConditionExpression: 'attribute_exists(imageId)',
      UpdateExpression:
        'SET #status = :status, #updatedAt = :updatedAt, #failure = :failure REMOVE #thumbnails',
    });
  });

  it('serves a record written before failure codes with the code its error names and that code’s message only', async () => {
    const stored = (error: string) => ({
      ...RECORD,
      status: 'FAILED',
      failure: { error, cause: 'User: arn:aws:sts::123456789012:assumed-role/x is not authorized' },
    });
    mocks.documentClient.on(GetCommand).resolves({ Item: stored('UndecodableImage') });
    mocks.documentClient.on(QueryCommand).resolves({ Items: [stored('AccessDeniedException')] });

    const got = await table().get(RECORD.imageId);
    const { items } = await table().listByOwner('owner-1', { limit: 10 });

    expect(got?.failure).to.deep.equal({
      code: 'UndecodableImage',
      message: FAILURE_MESSAGES.UndecodableImage,
    });
    expect(items[0]?.failure).to.deep.equal({
      code: 'ProcessingError',
      message: FAILURE_MESSAGES.ProcessingError,
    });
  });
});
