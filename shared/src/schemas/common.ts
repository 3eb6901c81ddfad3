import * as z from 'zod';

/** Identifiers we mint or accept from callers: short, URL-safe, no path separators. */
export const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'must contain only letters, digits, ".", "_", ":" and "-"');

export const isoTimestamp = z.iso.datetime({ offset: true });

/**
 * Degrees Celsius that a household thermostat can report or be set to. Magnitudes below 1e-6 are
 * refused: DynamoDB cannot store numbers closer to zero than 1e-130 ("Number underflow"), and no
 * thermostat measures that finely.
 */
export const temperatureC = z
  .number()
  .finite()
  .min(-50)
  .max(100)
  .refine((value) => value === 0 || Math.abs(value) >= 1e-6, 'must be 0 or at least 0.000001 away from it');
