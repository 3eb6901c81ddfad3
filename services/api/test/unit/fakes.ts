import type { Device } from '@serverless-patterns/shared/schemas/api';
import type { DeviceStore, DeviceTokenStore } from '../../src/core/devices';

export interface StoredToken {
  ownerId: string;
  secretHash: string;
  createdAt: string;
  rotatedAt: string;
}

/**
 * DeviceStore and DeviceTokenStore over one in-memory table, with the semantics the core relies on:
 * devices addressed by owner and id, a token saved only for the owner's device, and a device's
 * removal taking its token along.
 */
export function createInMemoryTable() {
  const devicesByKey = new Map<string, Device>();
  const tokensByDevice = new Map<string, StoredToken>();
  const keyOf = (ownerId: string, deviceId: string) => JSON.stringify([ownerId, deviceId]);

  const devices: DeviceStore = {
    async create(device) {
      const key = keyOf(device.ownerId, device.deviceId);
      if (devicesByKey.has(key)) throw new Error(`duplicate device ${device.deviceId}`);
      devicesByKey.set(key, { ...device });
    },
    async listByOwner(ownerId) {
      return [...devicesByKey.values()].filter((device) => device.ownerId === ownerId);
    },
    async get(ownerId, deviceId) {
      const device = devicesByKey.get(keyOf(ownerId, deviceId));
      return device === undefined ? undefined : { ...device };
    },
    async updateThreshold(ownerId, deviceId, change) {
      const key = keyOf(ownerId, deviceId);
      const device = devicesByKey.get(key);
      if (device === undefined) return undefined;
      const updated = { ...device, ...change };
      devicesByKey.set(key, updated);
      return { ...updated };
    },
    async remove(ownerId, deviceId) {
      if (!devicesByKey.delete(keyOf(ownerId, deviceId))) return false;
      tokensByDevice.delete(deviceId);
      return true;
    },
    async countAll() {
      return devicesByKey.size;
    },
  };

  const tokens: DeviceTokenStore = {
    async save({ deviceId, ownerId, secretHash, issuedAt }) {
      if (!devicesByKey.has(keyOf(ownerId, deviceId))) return false;
      const earlier = tokensByDevice.get(deviceId);
      if (earlier !== undefined && earlier.ownerId !== ownerId) return false;
      tokensByDevice.set(deviceId, {
        ownerId,
        secretHash,
        createdAt: earlier?.createdAt ?? issuedAt,
        rotatedAt: issuedAt,
      });
      return true;
    },
  };

  return { devices, tokens, tokensByDevice };
}
