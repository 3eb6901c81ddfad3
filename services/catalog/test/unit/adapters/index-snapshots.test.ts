import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { s3 } from '@serverless-patterns/shared/clients/s3';
import { mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createIndexSnapshots, INDEX_POINTER_KEY } from '../../../src/adapters/index-snapshots';
import { s3Body } from '../fakes';

describe('index snapshots adapter', () => {
  const mocks = mockClientsInEachTest({ s3, documentClient });
  const snapshots = createIndexSnapshots({ bucket: 'index-bucket', tableName: 'catalog-table' });
  const pointer = (version: number, snapshotKey: string) => ({
    Item: { ...INDEX_POINTER_KEY, version, snapshotKey },
  });

  it('reads version 0 and no content before the first snapshot', async () => {
    mocks.documentClient.on(GetCommand).resolves({});

    expect(await snapshots.latest()).to.deep.equal({ version: 0 });
  });

  it('reads the content of the current version, and only its number when the caller has it', async () => {
    mocks.documentClient.on(GetCommand).resolves(pointer(3, 'search-index/v3-x.json'));
    mocks.s3.on(GetObjectCommand).resolves({ Body: s3Body('{"index":3}') });

    expect(await snapshots.latest()).to.deep.equal({ version: 3, content: '{"index":3}' });
    expect(await snapshots.latest(3)).to.deep.equal({ version: 3 });
    expect(mocks.s3.commandCalls(GetObjectCommand)).to.have.length(1);
  });

  it('writes a new object, moves the pointer from the version read, and deletes the replaced object', async () => {
    mocks.documentClient.on(GetCommand).resolves(pointer(3, 'search-index/v3-x.json'));

    expect(await snapshots.replace(3, '{"index":4}')).to.equal(true);

    const written = mocks.s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(written?.Key).to.match(/^search-index\/v4-[0-9a-f-]{36}\.json$/);
    expect(mocks.documentClient.commandCalls(PutCommand)[0]?.args[0].input).to.deep.include({
      Item: { ...INDEX_POINTER_KEY, version: 4, snapshotKey: written?.Key },
      ConditionExpression: 'version = :version',
      ExpressionAttributeValues: { ':version': 3 },
    });
    expect(mocks.s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input).to.deep.equal({
      Bucket: 'index-bucket',
      Key: 'search-index/v3-x.json',
    });
  });

  it('answers false and deletes its own object when another writer moved the pointer first', async () => {
    mocks.documentClient.on(GetCommand).resolves(pointer(3, 'search-index/v3-x.json'));
    mocks.documentClient
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'moved', $metadata: {} }));

    expect(await snapshots.replace(3, '{}')).to.equal(false);
    const written = mocks.s3.commandCalls(PutObjectCommand)[0]?.args[0].input.Key;
    expect(mocks.s3.commandCalls(DeleteObjectCommand)[0]?.args[0].input.Key).to.equal(written);
  });

  it('creates the first pointer only if none exists', async () => {
    mocks.documentClient.on(GetCommand).resolves({});

    await snapshots.replace(0, '{}');

    expect(mocks.documentClient.commandCalls(PutCommand)[0]?.args[0].input.ConditionExpression).to.equal(
      'attribute_not_exists(pk)',
    );
  });
});
