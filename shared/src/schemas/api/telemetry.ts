import * as z from 'zod';
import { identifier, isoTimestamp } from '../common';
import { type alertSchema, telemetryReadingSchema, type windowAggregateSchema } from '../events/telemetry';

/** One reading as a thermostat sends it: its device is the route's (and its token's), not the body's. */
export const deviceReadingSchema = telemetryReadingSchema.omit({ deviceId: true });
export type DeviceReading = z.infer<typeof deviceReadingSchema>;

/**
 * POST /telemetry/{deviceId}: a thermostat's batch of readings. 500 is what one PutRecords call takes,
 * so a batch is one call when the stream accepts every record.
 */
export const telemetryBatchSchema = z
  .object({ readings: z.array(deviceReadingSchema).min(1).max(500) })
  .strict();
export type TelemetryBatch = z.infer<typeof telemetryBatchSchema>;

/** 202: every reading is on the telemetry stream. */
export interface CollectTelemetryResponse {
  accepted: number;
}

export const deviceIdPathSchema = z.object({ deviceId: identifier }).strict();

/** GET /telemetry/{deviceId}/aggregates?from&to: the device's 1-minute windows between two instants. */
export const aggregatesQuerySchema = z
  .object({ from: isoTimestamp.optional(), to: isoTimestamp.optional() })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['to'],
  });
export type AggregatesQuery = z.infer<typeof aggregatesQuerySchema>;

export interface DeviceAggregatesResponse {
  deviceId: string;
  /** The owner's current threshold, when clickstream knows it: the chart's line. */
  thresholdC?: number;
  aggregates: z.infer<typeof windowAggregateSchema>[];
}

export interface AlertsResponse {
  alerts: z.infer<typeof alertSchema>[];
}
