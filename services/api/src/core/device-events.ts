import type { DeviceEvent } from '@serverless-patterns/shared/schemas/events';

/** A change of the api table, as its stream shows it (images already unmarshalled). */
export interface TableChange {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  newImage?: Record<string, unknown>;
  oldImage?: Record<string, unknown>;
  /** When DynamoDB wrote the change, to the second (ApproximateCreationDateTime). */
  approximateCreationTime: number;
}

/**
 * The device event a table change means, if any: the table's stream is api's outbox, so an event goes
 * out exactly when the change it reports was written (no write can succeed with its event lost, as a
 * separate PutEvents after the write could). Only device items count, and of their updates only a
 * changed threshold. `occurredAt` orders a device's events for their consumers.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html
 */
export function deviceEventOf(change: TableChange): DeviceEvent | undefined {
  const image = change.newImage ?? change.oldImage;
  if (image === undefined || !String(image.sk ?? '').startsWith('device#')) return undefined;
  const deviceId = String(image.deviceId);
  const ownerId = String(image.ownerId);
  if (change.eventName === 'INSERT') {
    const thresholdC = Number(image.thresholdC);
    return {
      type: 'DeviceRegistered',
      detail: { deviceId, ownerId, thresholdC, occurredAt: String(image.createdAt) },
    };
  }
  if (change.eventName === 'MODIFY') {
    if (change.oldImage?.thresholdC === change.newImage?.thresholdC) return undefined;
    const occurredAt = String(
      change.newImage?.updatedAt ?? new Date(change.approximateCreationTime).toISOString(),
    );
    return {
      type: 'ThresholdChanged',
      detail: { deviceId, ownerId, thresholdC: Number(image.thresholdC), occurredAt },
    };
  }
  // A deletion has no time of its own on the item: the stream's, which is to the second, kept after the
  // item's last write so that it never orders before the change it follows.
  const lastWrite = Date.parse(String(change.oldImage?.updatedAt ?? change.oldImage?.createdAt ?? 0)) || 0;
  const occurredAt = new Date(Math.max(change.approximateCreationTime, lastWrite + 1)).toISOString();
  return { type: 'DeviceDeleted', detail: { deviceId, ownerId, occurredAt } };
}
