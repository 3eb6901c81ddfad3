import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '../../clients/dynamodb';
import type { DeviceTokenLookup, StoredDeviceToken } from './authorizer';

/** The item of a device's current token in the api's table: one per device, replaced on rotation. */
export function deviceTokenKey(deviceId: string): { pk: string; sk: string } {
  return { pk: `device#${deviceId}`, sk: 'token' };
}

export interface DeviceTokenTableOptions {
  tableName: string;
  client?: Pick<DynamoDBDocumentClient, 'send'>;
}

/** DeviceTokenLookup over DynamoDB: one GetItem per (uncached) authorization. */
export function createDeviceTokenTable({
  tableName,
  client = documentClient,
}: DeviceTokenTableOptions): DeviceTokenLookup {
  return {
    async find(deviceId) {
      const { Item } = await client.send(
        new GetCommand({
          TableName: tableName,
          Key: deviceTokenKey(deviceId),
          // A strongly consistent read sees a rotation or revocation written a moment ago.
          // https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.ReadConsistency.html
          ConsistentRead: true,
          ProjectionExpression: 'ownerId, secretHash, revoked',
        }),
      );
      return Item === undefined ? undefined : toRecord(Item);
    },
  };
}

// An item of the wrong shape opens nothing: it reads as "no token" (401), never as a usable one.
function toRecord(item: Record<string, unknown>): StoredDeviceToken | undefined {
  const { ownerId, secretHash, revoked } = item;
  if (typeof ownerId !== 'string' || ownerId === '' || typeof secretHash !== 'string') return undefined;
  if (revoked !== undefined && typeof revoked !== 'boolean') return undefined;
  return revoked === undefined ? { ownerId, secretHash } : { ownerId, secretHash, revoked };
}
