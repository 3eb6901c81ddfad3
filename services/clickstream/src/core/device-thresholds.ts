import type { DeviceEvent } from '@serverless-patterns/shared/schemas/events';

/** clickstream's copy of a device, from api's events: whose it is and where its alert threshold is. */
export interface DeviceThreshold {
  deviceId: string;
  ownerId: string;
  /** Absent once the device is deleted (the entry stays, so that an older event cannot bring it back). */
  thresholdC?: number;
  deleted: boolean;
  occurredAt: string;
}

export interface ThresholdStore {
  /** Writes `entry` unless the store holds one at least as recent: 'stale' then. */
  putIfNewer(entry: DeviceThreshold): Promise<'applied' | 'stale'>;
  find(deviceId: string): Promise<DeviceThreshold | undefined>;
}

/**
 * Applies api's device events to the copy. EventBridge delivers at least once and in no set order, so
 * each write is conditional on being newer than what is kept: a replay or a late event changes nothing.
 */
export function createThresholdCopy({ store }: { store: ThresholdStore }) {
  return {
    apply(event: DeviceEvent): Promise<'applied' | 'stale'> {
      const { deviceId, ownerId, occurredAt } = event.detail;
      if (event.type === 'DeviceDeleted') {
        return store.putIfNewer({ deviceId, ownerId, deleted: true, occurredAt });
      }
      return store.putIfNewer({
        deviceId,
        ownerId,
        thresholdC: event.detail.thresholdC,
        deleted: false,
        occurredAt,
      });
    },
    find: (deviceId: string) => store.find(deviceId),
  };
}
