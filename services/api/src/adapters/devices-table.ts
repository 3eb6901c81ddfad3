import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import {
  countAll,
  isConditionFailure,
  queryAll,
  writtenUnlessConditionFails,
} from '@serverless-patterns/shared/dynamodb';
import { type Device, deviceSchema } from '@serverless-patterns/shared/schemas/api';
import type { DeviceStore, DeviceTokenStore } from '../core/devices';

// The single table's keys; services/api/README.md lists the access patterns they serve.
export const ownerKey = (ownerId: string) => `owner#${ownerId}`;
export const deviceKey = (deviceId: string) => `device#${deviceId}`;
const DEVICE_PREFIX = 'device#';
/** Sort key of a device's token item, whose partition key is deviceKey(deviceId): what the device authorizer reads. */
export const TOKEN_SORT_KEY = 'token';

export function createDevicesTable({
  client = documentClient,
  tableName,
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
}): { devices: DeviceStore; tokens: DeviceTokenStore } {
  const deviceItemKey = (ownerId: string, deviceId: string) => ({
    pk: ownerKey(ownerId),
    sk: deviceKey(deviceId),
  });

  const devices: DeviceStore = {
    async create(device) {
      // Ids are random UUIDs, so the condition only guards against overwriting, never against callers.
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...deviceItemKey(device.ownerId, device.deviceId), ...device },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    },

    async listByOwner(ownerId) {
      const items = await queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :device)',
        ExpressionAttributeValues: { ':pk': ownerKey(ownerId), ':device': DEVICE_PREFIX },
      });
      return items.map(toDevice);
    },

    async get(ownerId, deviceId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: deviceItemKey(ownerId, deviceId) }),
      );
      return Item === undefined ? undefined : toDevice(Item);
    },

    async updateThreshold(ownerId, deviceId, { thresholdC, updatedAt }) {
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: deviceItemKey(ownerId, deviceId),
            UpdateExpression: 'SET thresholdC = :thresholdC, updatedAt = :updatedAt',
            // Without it, UpdateItem would create an item for a device the owner does not have.
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':thresholdC': thresholdC, ':updatedAt': updatedAt },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes === undefined ? undefined : toDevice(Attributes);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    async remove(ownerId, deviceId) {
      // One transaction: the token can never outlive its device, and is only deleted with the owner's device.
      return writtenUnlessConditionFails(() =>
        client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: deviceItemKey(ownerId, deviceId),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              { Delete: { TableName: tableName, Key: { pk: deviceKey(deviceId), sk: TOKEN_SORT_KEY } } },
            ],
          }),
        ),
      );
    },

    countAll() {
      // A Scan reads the whole table: fine for the demo's admin page. At scale, keep a counter item
      // updated in the register and delete transactions instead.
      return countAll(client, {
        TableName: tableName,
        FilterExpression: 'begins_with(sk, :device)',
        ExpressionAttributeValues: { ':device': DEVICE_PREFIX },
      });
    },
  };

  const tokens: DeviceTokenStore = {
    async save({ deviceId, ownerId, secretHash, issuedAt }) {
      // The condition check makes the owner's device the proof of ownership, in the same transaction, so
      // a token is never written for a device that is someone else's or that was just deleted.
      return writtenUnlessConditionFails(() =>
        client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                ConditionCheck: {
                  TableName: tableName,
                  Key: deviceItemKey(ownerId, deviceId),
                  ConditionExpression: 'attribute_exists(pk)',
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: { pk: deviceKey(deviceId), sk: TOKEN_SORT_KEY },
                  UpdateExpression:
                    'SET ownerId = :ownerId, secretHash = :secretHash, rotatedAt = :issuedAt, ' +
                    'createdAt = if_not_exists(createdAt, :issuedAt) REMOVE revoked',
                  ConditionExpression: 'attribute_not_exists(pk) OR ownerId = :ownerId',
                  ExpressionAttributeValues: {
                    ':ownerId': ownerId,
                    ':secretHash': secretHash,
                    ':issuedAt': issuedAt,
                  },
                },
              },
            ],
          }),
        ),
      );
    },
  };

  return { devices, tokens };
}

function toDevice(item: Record<string, unknown>): Device {
  const { pk: _pk, sk: _sk, ...device } = item;
  return deviceSchema.parse(device);
}
