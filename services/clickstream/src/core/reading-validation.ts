import { type TelemetryReading, telemetryReadingSchema } from '@serverless-patterns/shared/schemas/events';

export type ReadingCheck = { ok: true; reading: TelemetryReading } | { ok: false; reason: string };

// The shared schema is the contract; on the aggregator's hot loop (every reading of every batch) its
// general machinery costs more than the decoding around it. `checkReading` first tries a hand-written
// test of the same rules, which accepts only what the schema accepts (a property test in
// test/unit/core/reading-validation.test.ts holds it to that); whatever it does not accept at once goes
// through the schema, which decides and says why.

const IDENTIFIER = /^[A-Za-z0-9._:-]{1,128}$/;
// z.iso.datetime({ offset: true }) in its common form: seconds, optional fraction, Z or ±hh:mm.
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const KEYS = new Set(['deviceId', 'readingId', 'temperatureC', 'humidity', 'recordedAt']);

function isTemperature(value: unknown): value is number {
  return (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= -50 &&
    value <= 100 &&
    (value === 0 || Math.abs(value) >= 1e-6)
  );
}

/** The fast test: true only for a reading the schema accepts as it is. */
export function isPlainValidReading(value: unknown): value is TelemetryReading {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const reading = value as Record<string, unknown>;
  for (const key in reading) if (!KEYS.has(key)) return false;
  const { deviceId, readingId, temperatureC, humidity, recordedAt } = reading;
  return (
    typeof deviceId === 'string' &&
    IDENTIFIER.test(deviceId) &&
    typeof readingId === 'string' &&
    IDENTIFIER.test(readingId) &&
    isTemperature(temperatureC) &&
    (humidity === undefined ||
      (typeof humidity === 'number' && Number.isFinite(humidity) && humidity >= 0 && humidity <= 100)) &&
    typeof recordedAt === 'string' &&
    ISO_DATETIME.test(recordedAt) &&
    validCalendarTime(recordedAt)
  );
}

// The regular expression lets 2026-13-45T25:61:61Z through; the schema does not.
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function validCalendarTime(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  const hour = Number(text.slice(11, 13));
  const minute = Number(text.slice(14, 16));
  const second = Number(text.slice(17, 19));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0));
}

/** A decoded JSON value checked against the telemetry reading schema, with the schema's reason when not. */
export function checkReading(value: unknown): ReadingCheck {
  if (isPlainValidReading(value)) return { ok: true, reading: value };
  const parsed = telemetryReadingSchema.safeParse(value);
  if (parsed.success) return { ok: true, reading: parsed.data };
  const reason = parsed.error.issues
    .map((issue) => `${issue.path.join('.') || '(reading)'}: ${issue.message}`)
    .join('; ');
  return { ok: false, reason: `schema: ${reason}` };
}
