import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { expect } from 'chai';
import { fixtureSuite, recordsOf, uniqueId, waitFor } from './support';

describe('local cloud: DynamoDB Streams event source mapping', () => {
  const fixture = fixtureSuite();

  // Each change of an item is one stream record, in the order of the changes: INSERT with NewImage,
  // MODIFY with both images, REMOVE with OldImage (StreamViewType NEW_AND_OLD_IMAGES).
  // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
  // https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html
  it('delivers PutItem, UpdateItem, DeleteItem as INSERT, MODIFY, REMOVE, in order, with their images', async () => {
    const TableName = fixture.resource('RecordsTable');
    const id = uniqueId('item');
    const key = { id: { S: id } };

    await fixture.aws.dynamodb.send(
      new PutItemCommand({ TableName, Item: { ...key, note: { S: 'first' } } }),
    );
    await fixture.aws.dynamodb.send(
      new UpdateItemCommand({
        TableName,
        Key: key,
        UpdateExpression: 'SET note = :note',
        ExpressionAttributeValues: { ':note': { S: 'second' } },
      }),
    );
    await fixture.aws.dynamodb.send(new DeleteItemCommand({ TableName, Key: key }));

    const ours = (all: Record<string, unknown>[]) =>
      all
        .flatMap((invocation) => recordsOf(invocation) as unknown as DynamoDBRecord[])
        .filter((record) => record.dynamodb?.Keys?.id?.S === id);
    const records = ours(
      await waitFor(
        'the three stream records',
        () => fixture.cloud.recordings('recordTable'),
        (all) => ours(all).length >= 3,
      ),
    );

    expect(records.map((record) => record.eventName)).to.deep.equal(['INSERT', 'MODIFY', 'REMOVE']);
    const [inserted, modified, removed] = records.map((record) => record.dynamodb ?? {});
    for (const change of [inserted, modified, removed]) {
      expect(change?.Keys).to.deep.equal(key);
      expect(change?.StreamViewType).to.equal('NEW_AND_OLD_IMAGES');
    }
    expect(inserted?.NewImage).to.deep.equal({ ...key, note: { S: 'first' } });
    expect(inserted).to.not.have.property('OldImage');
    expect(modified?.OldImage).to.deep.equal({ ...key, note: { S: 'first' } });
    expect(modified?.NewImage).to.deep.equal({ ...key, note: { S: 'second' } });
    expect(removed?.OldImage).to.deep.equal({ ...key, note: { S: 'second' } });
    expect(removed).to.not.have.property('NewImage');
    const sequences = records.map((record) => BigInt(record.dynamodb?.SequenceNumber ?? '0'));
    expect([...sequences].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).to.deep.equal(sequences);
  });

  // DynamoDB Local writes an empty map as `{}` in stream records; AWS writes `{"M":{}}`, which is what
  // unmarshall reads. Binaries travel in base64.
  it('delivers empty maps and binaries in the images as AWS writes them', async () => {
    const TableName = fixture.resource('RecordsTable');
    const id = uniqueId('shapes');
    const Item = {
      id: { S: id },
      partitions: { M: {} },
      nested: { M: { inner: { M: {} }, list: { L: [{ M: {} }] } } },
      bytes: { B: Uint8Array.from([1, 2]) },
    };
    await fixture.aws.dynamodb.send(new PutItemCommand({ TableName, Item }));

    const ours = (all: Record<string, unknown>[]) =>
      all
        .flatMap((invocation) => recordsOf(invocation) as unknown as DynamoDBRecord[])
        .filter((record) => record.dynamodb?.Keys?.id?.S === id);
    const [inserted] = ours(
      await waitFor(
        'the stream record',
        () => fixture.cloud.recordings('recordTable'),
        (all) => ours(all).length >= 1,
      ),
    );

    expect(inserted?.dynamodb?.NewImage).to.deep.equal({ ...Item, bytes: { B: 'AQI=' } });
  });
});
