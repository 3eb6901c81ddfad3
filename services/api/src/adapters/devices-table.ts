import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type Device, deviceSchema } from '@serverless-patterns/shared/schemas/api';
import type { DeviceStore, DeviceTokenStore } from '../core/devices';

// The single table's keys; services/api/README.md lists the access patterns they serve.
export const ownerKey = (ownerId: string) => `owner#${ownerId}`;
export const deviceKey = (deviceId: string) => `device#${deviceId}`;
const DEVICE_PREFIX = 'device#';
/** Sort key of a device's token item, whose partition key is deviceKey(deviceId): what the device authorizer reads. */
export const TOKEN_SORT_KEY = 'token';

type Client = Pick<DynamoDBDocumentClient, 'send'>;

export function createDevicesTable({ client, tableName }: { client: Client; tableName: string }): {
  devices: DeviceStore;
  tokens: DeviceTokenStore;
} {
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
      const found: Device[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :device)',
            ExpressionAttributeValues: { ':pk': ownerKey(ownerId), ':device': DEVICE_PREFIX },
            ExclusiveStartKey: startKey,
          }),
        );
        found.push(...(page.Items ?? []).map(toDevice));
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return found;
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
        if (isConditionalCheckFailed(error)) return undefined;
        throw error;
      }
    },

    async remove(ownerId, deviceId) {
      // One transaction: the token can never outlive its device, and is only deleted with the owner's device.
      return unlessCancelledByCondition(() =>
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

    async countAll() {
      // A Scan reads the whole table: fine for the demo's admin page. At scale, keep a counter item
      // updated in the register and delete transactions instead.
      let count = 0;
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: tableName,
            Select: 'COUNT',
            FilterExpression: 'begins_with(sk, :device)',
            ExpressionAttributeValues: { ':device': DEVICE_PREFIX },
            ExclusiveStartKey: startKey,
          }),
        );
        count += page.Count ?? 0;
        startKey = page.LastEvaluatedKey;
      } while (startKey !== undefined);
      return count;
    },
  };

  const tokens: DeviceTokenStore = {
    async save({ deviceId, ownerId, secretHash, issuedAt }) {
      // The condition check makes the owner's device the proof of ownership, in the same transaction, so
      // a token is never written for a device that is someone else's or that was just deleted.
      return unlessCancelledByCondition(() =>
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

/**
 * True when the transaction was written; false when a condition failed. Any other cancellation
 * (a conflicting transaction, throttling) is thrown, so that the client sees a failure, not a 404.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#API_TransactWriteItems_Errors
 */
async function unlessCancelledByCondition(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (isCancelledByCondition(error)) return false;
    throw error;
  }
}

function isConditionalCheckFailed(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function isCancelledByCondition(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((reason) => reason.Code === 'ConditionalCheckFailed');
}
