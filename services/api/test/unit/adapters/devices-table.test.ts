import {
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import type { Device } from '@serverless-patterns/shared/schemas/api';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createDevicesTable } from '../../../src/adapters/devices-table';
import { ADA } from '../factories';

const DEVICE: Device = {
  deviceId: '5b0e7c1a-3f0d-4c0b-9a51-2f7d9d3e8c11',
  ownerId: ADA.userId,
  name: 'Living room',
  location: 'Ground floor',
  thresholdC: 28,
  createdAt: '2025-03-01T12:00:00.000Z',
  updatedAt: '2025-03-01T12:00:00.000Z',
};
const DEVICE_ITEM = { pk: `owner#${ADA.userId}`, sk: `device#${DEVICE.deviceId}`, ...DEVICE };
const TABLE = 'api-table';

function namedError(name: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(name), { name, ...fields });
}

/** A transaction cancelled by DynamoDB, with one reason per item as the service reports them. */
function cancelled(...codes: string[]): Error {
  return namedError('TransactionCanceledException', { CancellationReasons: codes.map((Code) => ({ Code })) });
}

describe('devices table', () => {
  const mocks = mockClientsInEachTest({ documentClient });
  const { devices, tokens } = createDevicesTable({ tableName: TABLE });

  describe('devices', () => {
    it("puts a device under its owner's partition, never over an existing item", async () => {
      await devices.create(DEVICE);

      expect(commandsSent(mocks.documentClient)).to.deep.equal([
        {
          name: 'PutCommand',
          input: { TableName: TABLE, Item: DEVICE_ITEM, ConditionExpression: 'attribute_not_exists(pk)' },
        },
      ]);
    });

    it("queries the owner's partition page by page and returns devices without keys", async () => {
      const second = { ...DEVICE, deviceId: 'other-device' };
      mocks.documentClient
        .on(QueryCommand)
        .resolvesOnce({ Items: [DEVICE_ITEM], LastEvaluatedKey: { pk: DEVICE_ITEM.pk, sk: DEVICE_ITEM.sk } })
        .resolvesOnce({ Items: [{ pk: DEVICE_ITEM.pk, sk: 'device#other-device', ...second }] });

      const listed = await devices.listByOwner(ADA.userId);

      expect(listed).to.deep.equal([DEVICE, second]);
      const [first, next] = mocks.documentClient.commandCalls(QueryCommand).map(({ args }) => args[0].input);
      expect(first).to.deep.include({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :device)',
        ExpressionAttributeValues: { ':pk': `owner#${ADA.userId}`, ':device': 'device#' },
      });
      expect(next?.ExclusiveStartKey).to.deep.equal({ pk: DEVICE_ITEM.pk, sk: DEVICE_ITEM.sk });
    });

    it('gets a device by owner and id', async () => {
      mocks.documentClient.on(GetCommand).resolves({ Item: DEVICE_ITEM });

      const device = await devices.get(ADA.userId, DEVICE.deviceId);

      expect(device).to.deep.equal(DEVICE);
      expect(commandsSent(mocks.documentClient)).to.deep.equal([
        { name: 'GetCommand', input: { TableName: TABLE, Key: { pk: DEVICE_ITEM.pk, sk: DEVICE_ITEM.sk } } },
      ]);
    });

    it('finds nothing where there is no item', async () => {
      mocks.documentClient.on(GetCommand).resolves({});

      expect(await devices.get(ADA.userId, DEVICE.deviceId)).to.equal(undefined);
    });

    it('updates the threshold only of an existing device, returning it', async () => {
      mocks.documentClient.on(UpdateCommand).resolves({ Attributes: { ...DEVICE_ITEM, thresholdC: 21 } });

      const updated = await devices.updateThreshold(ADA.userId, DEVICE.deviceId, {
        thresholdC: 21,
        updatedAt: DEVICE.updatedAt,
      });

      expect(updated).to.deep.equal({ ...DEVICE, thresholdC: 21 });
      expect(mocks.documentClient.commandCalls(UpdateCommand)[0]?.args[0].input).to.deep.include({
        Key: { pk: DEVICE_ITEM.pk, sk: DEVICE_ITEM.sk },
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_NEW',
      });
    });

    it('updates nothing, and finds nothing, when the device does not exist', async () => {
      mocks.documentClient.on(UpdateCommand).rejects(namedError('ConditionalCheckFailedException'));

      const updated = await devices.updateThreshold(ADA.userId, DEVICE.deviceId, {
        thresholdC: 21,
        updatedAt: DEVICE.updatedAt,
      });

      expect(updated).to.equal(undefined);
    });

    it('lets any other update failure through', async () => {
      mocks.documentClient.on(UpdateCommand).rejects(namedError('ProvisionedThroughputExceededException'));

      const update = devices.updateThreshold(ADA.userId, DEVICE.deviceId, { thresholdC: 21, updatedAt: '' });

      await update.then(
        () => expect.fail('the update succeeded'),
        (error: Error) => expect(error.name).to.equal('ProvisionedThroughputExceededException'),
      );
    });

    it("deletes the owner's device and the device's token in one transaction", async () => {
      const removed = await devices.remove(ADA.userId, DEVICE.deviceId);

      expect(removed).to.equal(true);
      expect(
        mocks.documentClient.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems,
      ).to.deep.equal([
        {
          Delete: {
            TableName: TABLE,
            Key: { pk: DEVICE_ITEM.pk, sk: DEVICE_ITEM.sk },
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
        { Delete: { TableName: TABLE, Key: { pk: `device#${DEVICE.deviceId}`, sk: 'token' } } },
      ]);
    });

    it('removes nothing when the owner has no such device', async () => {
      mocks.documentClient.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));

      expect(await devices.remove(ADA.userId, DEVICE.deviceId)).to.equal(false);
    });

    it('lets a transaction cancelled for another reason through, rather than reporting not found', async () => {
      mocks.documentClient.on(TransactWriteCommand).rejects(cancelled('None', 'TransactionConflict'));

      await devices.remove(ADA.userId, DEVICE.deviceId).then(
        () => expect.fail('the removal succeeded'),
        (error: Error) => expect(error.name).to.equal('TransactionCanceledException'),
      );
    });

    it('counts device items over every page of a scan', async () => {
      mocks.documentClient
        .on(ScanCommand)
        .resolvesOnce({ Count: 2, LastEvaluatedKey: { pk: 'x', sk: 'y' } })
        .resolvesOnce({ Count: 3 });

      expect(await devices.countAll()).to.equal(5);
      const [first, next] = mocks.documentClient.commandCalls(ScanCommand).map(({ args }) => args[0].input);
      expect(first).to.deep.include({ Select: 'COUNT', FilterExpression: 'begins_with(sk, :device)' });
      expect(next?.ExclusiveStartKey).to.deep.equal({ pk: 'x', sk: 'y' });
    });
  });

  describe('tokens', () => {
    const RECORD = {
      deviceId: DEVICE.deviceId,
      ownerId: ADA.userId,
      secretHash: 'sha256$salt$digest',
      issuedAt: '2025-03-01T13:00:00.000Z',
    };

    it("writes the token item only while the owner's device exists, in one transaction", async () => {
      const saved = await tokens.save(RECORD);

      expect(saved).to.equal(true);
      const [check, update] =
        mocks.documentClient.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
      expect(check).to.deep.equal({
        ConditionCheck: {
          TableName: TABLE,
          Key: { pk: DEVICE_ITEM.pk, sk: DEVICE_ITEM.sk },
          ConditionExpression: 'attribute_exists(pk)',
        },
      });
      expect(update?.Update).to.deep.include({
        TableName: TABLE,
        Key: { pk: `device#${DEVICE.deviceId}`, sk: 'token' },
        ConditionExpression: 'attribute_not_exists(pk) OR ownerId = :ownerId',
        ExpressionAttributeValues: {
          ':ownerId': ADA.userId,
          ':secretHash': 'sha256$salt$digest',
          ':issuedAt': '2025-03-01T13:00:00.000Z',
        },
      });
      // A rotation replaces the hash and keeps the first issue time; a revocation does not survive it.
      expect(update?.Update?.UpdateExpression).to.equal(
        'SET ownerId = :ownerId, secretHash = :secretHash, rotatedAt = :issuedAt, ' +
          'createdAt = if_not_exists(createdAt, :issuedAt) REMOVE revoked',
      );
    });

    it('saves nothing when the owner has no such device', async () => {
      mocks.documentClient.on(TransactWriteCommand).rejects(cancelled('ConditionalCheckFailed', 'None'));

      expect(await tokens.save(RECORD)).to.equal(false);
    });

    it("saves nothing over another owner's token", async () => {
      mocks.documentClient.on(TransactWriteCommand).rejects(cancelled('None', 'ConditionalCheckFailed'));

      expect(await tokens.save(RECORD)).to.equal(false);
    });
  });
});
