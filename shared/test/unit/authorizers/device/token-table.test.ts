import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'chai';
import { createDeviceTokenTable, deviceTokenKey } from '../../../../src/authorizers/device/token-table';

/** A document client that records the commands it is sent and answers with the given item. */
function stubClient(item: Record<string, unknown> | undefined) {
  const sent: unknown[] = [];
  return {
    sent,
    client: {
      send: async (command: unknown) => {
        sent.push(command);
        return { Item: item };
      },
    } as unknown as Parameters<typeof createDeviceTokenTable>[0]['client'],
  };
}

describe('device token table', () => {
  it('reads pk device#<deviceId>, sk token with one consistent GetItem', async () => {
    const { sent, client } = stubClient({
      pk: 'device#dev-1',
      sk: 'token',
      ownerId: 'user-1',
      secretHash: 'sha256$a$b',
    });

    const record = await createDeviceTokenTable({ tableName: 'api-table', client }).find('dev-1');

    expect(record).to.deep.equal({ ownerId: 'user-1', secretHash: 'sha256$a$b' });
    expect(sent).to.have.length(1);
    expect(sent[0]).to.be.instanceOf(GetCommand);
    expect((sent[0] as GetCommand).input).to.deep.include({
      TableName: 'api-table',
      Key: { pk: 'device#dev-1', sk: 'token' },
      ConsistentRead: true,
    });
  });

  it('keeps the revoked flag', async () => {
    const { client } = stubClient({ ownerId: 'user-1', secretHash: 'sha256$a$b', revoked: true });

    expect(await createDeviceTokenTable({ tableName: 't', client }).find('dev-1')).to.deep.equal({
      ownerId: 'user-1',
      secretHash: 'sha256$a$b',
      revoked: true,
    });
  });

  it('answers undefined when the device has no token', async () => {
    const { client } = stubClient(undefined);

    expect(await createDeviceTokenTable({ tableName: 't', client }).find('dev-1')).to.equal(undefined);
  });

  for (const item of [
    { secretHash: 'sha256$a$b' },
    { ownerId: 'user-1' },
    { ownerId: '', secretHash: 'sha256$a$b' },
    { ownerId: 'user-1', secretHash: 'sha256$a$b', revoked: 'false' },
  ]) {
    it(`reads an item of the wrong shape as no token (${JSON.stringify(item)})`, async () => {
      const { client } = stubClient(item);

      expect(await createDeviceTokenTable({ tableName: 't', client }).find('dev-1')).to.equal(undefined);
    });
  }

  it('exports the key so that the writer of tokens uses the same one', () => {
    expect(deviceTokenKey('site.a.dev-1')).to.deep.equal({ pk: 'device#site.a.dev-1', sk: 'token' });
  });
});
