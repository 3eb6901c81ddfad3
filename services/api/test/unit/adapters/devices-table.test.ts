import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Device } from '@serverless-patterns/shared/schemas/api';
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

/** A client that records every command and answers with the next of `outcomes`. */
function createFakeClient(...outcomes: (() => unknown)[]) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      sent.push(command);
      const outcome = outcomes.shift();
      return outcome === undefined ? {} : outcome();
    },
  } as Parameters<typeof createDevicesTable>[0]['client'];
  return { client, sent, ...createDevicesTable({ client, tableName: TABLE }) };
}

function inputOf<C extends abstract new (...args: never[]) => { input: unknown }>(
  command: unknown,
  type: C,
): InstanceType<C>['input'] {
  expect(command).to.be.instanceOf(type);
  return (command as InstanceType<C>).input;
}

describe('devices table', () => {
  describe('devices', () => {
    it("puts a device under its owner's partition, never over an existing item", async () => {
      const { devices, sent } = createFakeClient();

      await devices.create(DEVICE);

      expect(inputOf(sent[0], PutCommand)).to.deep.equal({
        TableName: TABLE,
        Item: DEVICE_ITEM,
        ConditionExpression: 'attribute_not_exists(pk)',
      });
    });

    it("queries the owner's partition page by page and returns devices without keys", async () => {
      const second = { ...DEVICE, deviceId: 'other-device' };
      const { devices, sent } = createFakeClient(
        () => ({ Items: [DEVICE_ITEM], LastEvaluatedKey: { pk: DEVICE_ITEM.pk, sk: DEVICE_ITEM.sk } }),
        () => ({ Items: [{ pk: DEVICE_ITEM.pk, sk: 'device#other-device', ...second }] }),
      );

      const listed = await devices.listByOwner(ADA.userId);

      expect(listed).to.deep.equal([DEVICE, second]);
      expect(inputOf(sent[0], QueryCommand)).to.deep.include({
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :device)',
        ExpressionAttributeValues: { ':pk': `owner#${ADA.userId}`, ':device': 'device#' },
      });
      expect(inputOf(sent[1], QueryCommand).ExclusiveStartKey).to.deep.equal({
        pk: DEVICE_ITEM.pk,
        sk: DEVICE_ITEM.sk,
      });
    });

    it('gets a device by owner and id', async () => {
      const { devices, sent } = createFakeClient(() => ({ Item: DEVICE_ITEM }));

      const device = await devices.get(ADA.userId, DEVICE.deviceId);

      expect(device).to.deep.equal(DEVICE);
      expect(inputOf(sent[0], GetCommand)).to.deep.equal({
        TableName: TABLE,
        Key: { pk: DEVICE_ITEM.pk, sk: DEVICE_ITEM.sk },
      });
    });

    it('finds nothing where there is no item', async () => {
      const { devices } = createFakeClient(() => ({}));

      expect(await devices.get(ADA.userId, DEVICE.deviceId)).to.equal(undefined);
    });

    it('updates the threshold only of an existing device, returning it', async () => {
      const { devices, sent } = createFakeClient(() => ({ Attributes: { ...DEVICE_ITEM, thresholdC: 21 } }));

      const updated = await devices.updateThreshold(ADA.userId, DEVICE.deviceId, {
        thresholdC: 21,
        updatedAt: DEVICE.updatedAt,
      });

      expect(updated).to.deep.equal({ ...DEVICE, thresholdC: 21 });
      expect(inputOf(sent[0], UpdateCommand)).to.deep.include({
        Key: { pk: DEVICE_ITEM.pk, sk: DEVICE_ITEM.sk },
        ConditionExpression: 'attribute_exists(pk)',
        ReturnValues: 'ALL_NEW',
      });
    });

    it('updates nothing, and finds nothing, when the device does not exist', async () => {
      const { devices } = createFakeClient(() => {
        throw namedError('ConditionalCheckFailedException');
      });

      const updated = await devices.updateThreshold(ADA.userId, DEVICE.deviceId, {
        thresholdC: 21,
        updatedAt: DEVICE.updatedAt,
      });

      expect(updated).to.equal(undefined);
    });

    it('lets any other update failure through', async () => {
      const { devices } = createFakeClient(() => {
        throw namedError('ProvisionedThroughputExceededException');
      });

      const update = devices.updateThreshold(ADA.userId, DEVICE.deviceId, { thresholdC: 21, updatedAt: '' });

      await update.then(
        () => expect.fail('the update succeeded'),
        (error: Error) => expect(error.name).to.equal('ProvisionedThroughputExceededException'),
      );
    });

    it("deletes the owner's device and the device's token in one transaction", async () => {
      const { devices, sent } = createFakeClient();

      const removed = await devices.remove(ADA.userId, DEVICE.deviceId);

      expect(removed).to.equal(true);
      expect(inputOf(sent[0], TransactWriteCommand).TransactItems).to.deep.equal([
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
      const { devices } = createFakeClient(() => {
        throw cancelled('ConditionalCheckFailed', 'None');
      });

      expect(await devices.remove(ADA.userId, DEVICE.deviceId)).to.equal(false);
    });

    it('lets a transaction cancelled for another reason through, rather than reporting not found', async () => {
      const { devices } = createFakeClient(() => {
        throw cancelled('None', 'TransactionConflict');
      });

      await devices.remove(ADA.userId, DEVICE.deviceId).then(
        () => expect.fail('the removal succeeded'),
        (error: Error) => expect(error.name).to.equal('TransactionCanceledException'),
      );
    });

    it('counts device items over every page of a scan', async () => {
      const { devices, sent } = createFakeClient(
        () => ({ Count: 2, LastEvaluatedKey: { pk: 'x', sk: 'y' } }),
        () => ({ Count: 3 }),
      );

      expect(await devices.countAll()).to.equal(5);
      expect(inputOf(sent[0], ScanCommand)).to.deep.include({
        Select: 'COUNT',
        FilterExpression: 'begins_with(sk, :device)',
      });
      expect(inputOf(sent[1], ScanCommand).ExclusiveStartKey).to.deep.equal({ pk: 'x', sk: 'y' });
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
      const { tokens, sent } = createFakeClient();

      const saved = await tokens.save(RECORD);

      expect(saved).to.equal(true);
      const [check, update] = inputOf(sent[0], TransactWriteCommand).TransactItems ?? [];
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
      const { tokens } = createFakeClient(() => {
        throw cancelled('ConditionalCheckFailed', 'None');
      });

      expect(await tokens.save(RECORD)).to.equal(false);
    });

    it("saves nothing over another owner's token", async () => {
      const { tokens } = createFakeClient(() => {
        throw cancelled('None', 'ConditionalCheckFailed');
      });

      expect(await tokens.save(RECORD)).to.equal(false);
    });
  });
});
