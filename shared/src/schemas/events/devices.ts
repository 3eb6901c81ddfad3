import * as z from 'zod';
import { identifier, isoTimestamp, temperatureC } from '../common';

// What the api service says about its devices on the default EventBridge bus (source
// DEVICE_EVENT_SOURCE, the detail type naming the event). Other services keep their own copy of what
// they need from these (clickstream: each device's owner and alert threshold) and never read api's table.
// `occurredAt` orders them: a consumer ignores an event older than the one it last applied.

export const DEVICE_EVENT_SOURCE = 'serverless-patterns.api';

export const deviceRegisteredSchema = z
  .object({ deviceId: identifier, ownerId: identifier, thresholdC: temperatureC, occurredAt: isoTimestamp })
  .strict();
export type DeviceRegistered = z.infer<typeof deviceRegisteredSchema>;

export const thresholdChangedSchema = z
  .object({ deviceId: identifier, ownerId: identifier, thresholdC: temperatureC, occurredAt: isoTimestamp })
  .strict();
export type ThresholdChanged = z.infer<typeof thresholdChangedSchema>;

export const deviceDeletedSchema = z
  .object({ deviceId: identifier, ownerId: identifier, occurredAt: isoTimestamp })
  .strict();
export type DeviceDeleted = z.infer<typeof deviceDeletedSchema>;

/** The detail types, each with its detail's schema. */
export const deviceEventSchemas = {
  DeviceRegistered: deviceRegisteredSchema,
  ThresholdChanged: thresholdChangedSchema,
  DeviceDeleted: deviceDeletedSchema,
} as const;
export type DeviceEventType = keyof typeof deviceEventSchemas;

export type DeviceEvent =
  | { type: 'DeviceRegistered'; detail: DeviceRegistered }
  | { type: 'ThresholdChanged'; detail: ThresholdChanged }
  | { type: 'DeviceDeleted'; detail: DeviceDeleted };

/** An EventBridge event's detail type and detail, checked against the contract. */
export function parseDeviceEvent(detailType: string, detail: unknown): DeviceEvent {
  if (!Object.hasOwn(deviceEventSchemas, detailType))
    throw new TypeError(`not a device event: ${detailType}`);
  const type = detailType as DeviceEventType;
  return { type, detail: deviceEventSchemas[type].parse(detail) } as DeviceEvent;
}
