import * as z from 'zod';
import { identifier, isoTimestamp, temperatureC } from '../common';

/** Above this average temperature (°C) over a window, the owner is alerted. */
export const thresholdC = temperatureC.min(-40).max(80);

export const deviceRegistrationSchema = z
  .object({
    name: z.string().trim().min(1).max(64),
    location: z.string().trim().min(1).max(128),
    thresholdC,
  })
  .strict();
export type DeviceRegistration = z.infer<typeof deviceRegistrationSchema>;

export const thresholdUpdateSchema = z.object({ thresholdC }).strict();
export type ThresholdUpdate = z.infer<typeof thresholdUpdateSchema>;

export const deviceSchema = deviceRegistrationSchema.extend({
  deviceId: identifier,
  ownerId: identifier,
  createdAt: isoTimestamp,
  updatedAt: isoTimestamp,
});
export type Device = z.infer<typeof deviceSchema>;
