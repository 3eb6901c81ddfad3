import { issueDeviceToken } from '@serverless-patterns/shared/authorizers/device/tokens';
import { NotFoundError } from '@serverless-patterns/shared/errors';
import {
  type Device,
  deviceRegistrationSchema,
  thresholdUpdateSchema,
} from '@serverless-patterns/shared/schemas/api';
import { identifier } from '@serverless-patterns/shared/schemas/common';
import { validated } from './validation';

/**
 * The owner's devices. Every read and write is addressed by the owner and the device together, so a
 * device id that belongs to someone else is simply not found (no object-level check to forget).
 */
export interface DeviceStore {
  /** Adds a device that does not exist yet. */
  create(device: Device): Promise<void>;
  listByOwner(ownerId: string): Promise<Device[]>;
  get(ownerId: string, deviceId: string): Promise<Device | undefined>;
  /** The updated device, or undefined when the owner has no such device. */
  updateThreshold(
    ownerId: string,
    deviceId: string,
    change: { thresholdC: number; updatedAt: string },
  ): Promise<Device | undefined>;
  /** Removes the device and its token together; false when the owner has no such device. */
  remove(ownerId: string, deviceId: string): Promise<boolean>;
  /** Devices of every owner: for operators, not for owners. */
  countAll(): Promise<number>;
}

export interface DeviceTokenRecord {
  deviceId: string;
  ownerId: string;
  /** Only the hash is stored: the token itself is shown to the owner once. */
  secretHash: string;
  issuedAt: string;
}

export interface DeviceTokenStore {
  /** Stores the hash, replacing any earlier one, only if the owner still has the device; false otherwise. */
  save(record: DeviceTokenRecord): Promise<boolean>;
}

export interface DeviceServiceDependencies {
  devices: DeviceStore;
  tokens: DeviceTokenStore;
  clock: () => Date;
  newId: () => string;
  random: (size: number) => Buffer;
}

export interface NewDeviceToken {
  deviceId: string;
  /** `<deviceId>.<secret>`, for the thermostat's x-device-token header. */
  token: string;
}

/**
 * Devices and their tokens, for the signed-in owner. `ownerId` comes from the authorizer and is
 * trusted; everything else comes from the caller and is validated here.
 */
export function createDeviceService({ devices, tokens, clock, newId, random }: DeviceServiceDependencies) {
  const deviceIdOf = (deviceId: unknown): string => validated(identifier, deviceId, 'device id');

  const notFound = (deviceId: string) => new NotFoundError(`Device ${deviceId} not found`);

  return {
    async register(ownerId: string, body: unknown): Promise<Device> {
      const registration = validated(deviceRegistrationSchema, body, 'request body');
      const now = clock().toISOString();
      const device: Device = { ...registration, deviceId: newId(), ownerId, createdAt: now, updatedAt: now };
      await devices.create(device);
      return device;
    },

    list(ownerId: string): Promise<Device[]> {
      return devices.listByOwner(ownerId);
    },

    async get(ownerId: string, rawDeviceId: unknown): Promise<Device> {
      const deviceId = deviceIdOf(rawDeviceId);
      const device = await devices.get(ownerId, deviceId);
      if (device === undefined) throw notFound(deviceId);
      return device;
    },

    async updateThreshold(ownerId: string, rawDeviceId: unknown, body: unknown): Promise<Device> {
      const deviceId = deviceIdOf(rawDeviceId);
      const { thresholdC } = validated(thresholdUpdateSchema, body, 'request body');
      const updatedAt = clock().toISOString();
      const device = await devices.updateThreshold(ownerId, deviceId, { thresholdC, updatedAt });
      if (device === undefined) throw notFound(deviceId);
      return device;
    },

    async remove(ownerId: string, rawDeviceId: unknown): Promise<void> {
      const deviceId = deviceIdOf(rawDeviceId);
      if (!(await devices.remove(ownerId, deviceId))) throw notFound(deviceId);
    },

    /** Issues a token, or rotates it: the new hash replaces the old one, so the old token stops working. */
    async issueToken(ownerId: string, rawDeviceId: unknown): Promise<NewDeviceToken> {
      const deviceId = deviceIdOf(rawDeviceId);
      const { token, secretHash } = issueDeviceToken(deviceId, random);
      const issuedAt = clock().toISOString();
      if (!(await tokens.save({ deviceId, ownerId, secretHash, issuedAt }))) throw notFound(deviceId);
      return { deviceId, token };
    },

    countAll(): Promise<number> {
      return devices.countAll();
    },
  };
}

export type DeviceService = ReturnType<typeof createDeviceService>;
