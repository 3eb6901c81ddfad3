import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ImageRecord } from '@serverless-patterns/shared/schemas/api';
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

function namedError(name: string): Error {
  return Object.assign(new Error(name), { name });
}

function createFakeClient(outcome: () => Promise<unknown>) {
  const sent: unknown[] = [];
  return {
    sent,
    client: {
      send: async (command: unknown) => {
        sent.push(command);
        return outcome();
      },
    } as Parameters<typeof createImagesTable>[0]['client'],
  };
}

describe('images table', () => {
  it('puts the record only if no record has its image id', async () => {
    const { client, sent } = createFakeClient(async () => ({}));

    const outcome = await createImagesTable({ client, tableName: 'images-table' }).createIfAbsent(RECORD);

    expect(outcome).to.equal('created');
    expect(sent).to.have.length(1);
    expect(sent[0]).to.be.instanceOf(PutCommand);
    expect((sent[0] as PutCommand).input).to.deep.equal({
      TableName: 'images-table',
      Item: RECORD,
      ConditionExpression: 'attribute_not_exists(imageId)',
    });
  });

  it('reports an existing record when the condition fails', async () => {
    const { client } = createFakeClient(async () => {
      throw namedError('ConditionalCheckFailedException');
    });

    const outcome = await createImagesTable({ client, tableName: 'images-table' }).createIfAbsent(RECORD);

    expect(outcome).to.equal('exists');
  });

  it('lets any other failure through, so the invocation is retried', async () => {
    const { client } = createFakeClient(async () => {
      throw namedError('ProvisionedThroughputExceededException');
    });

    let error: unknown;
    try {
      await createImagesTable({ client, tableName: 'images-table' }).createIfAbsent(RECORD);
    } catch (caught) {
      error = caught;
    }

    expect(error).to.have.property('name', 'ProvisionedThroughputExceededException');
  });
});
