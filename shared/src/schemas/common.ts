import { z } from 'zod';

/** Identifiers we mint or accept from callers: short, URL-safe, no path separators. */
export const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must contain only letters, digits, ".", "_", ":" and "-"');

export const isoTimestamp = z.iso.datetime({ offset: true });

/** Degrees Celsius that a household thermostat can report or be set to. */
export const temperatureC = z.number().finite().min(-50).max(100);
