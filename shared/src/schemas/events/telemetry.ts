import * as z from 'zod';
import { identifier, isoTimestamp, temperatureC } from '../common';

/** One thermostat reading, as put on the telemetry stream (partition key: deviceId). */
export const telemetryReadingSchema = z
  .object({
    deviceId: identifier,
    /** Unique per reading, so that a replayed record is recognised and counted once. */
    readingId: identifier,
    temperatureC,
    humidity: z.number().finite().min(0).max(100).optional(),
    recordedAt: isoTimestamp,
  })
  .strict();
export type TelemetryReading = z.infer<typeof telemetryReadingSchema>;

/** Sum, count, min, max and average of one device's readings over one tumbling window. */
export const windowAggregateSchema = z
  .object({
    deviceId: identifier,
    windowStart: isoTimestamp,
    windowEnd: isoTimestamp,
    count: z.number().int().positive(),
    sum: z.number().finite(),
    min: temperatureC,
    max: temperatureC,
    average: temperatureC,
  })
  .strict()
  .refine((a) => a.min <= a.average && a.average <= a.max, {
    message: 'average must lie between min and max',
    path: ['average'],
  })
  .refine((a) => Date.parse(a.windowStart) < Date.parse(a.windowEnd), {
    message: 'windowStart must be before windowEnd',
    path: ['windowEnd'],
  });
export type WindowAggregate = z.infer<typeof windowAggregateSchema>;

/** Raised when a window's average crosses the owner's threshold for that device. */
export const alertSchema = z
  .object({
    alertId: identifier,
    deviceId: identifier,
    ownerId: identifier,
    kind: z.enum(['ABOVE_THRESHOLD']),
    thresholdC: temperatureC,
    average: temperatureC,
    windowStart: isoTimestamp,
    windowEnd: isoTimestamp,
    raisedAt: isoTimestamp,
  })
  .strict();
export type Alert = z.infer<typeof alertSchema>;
