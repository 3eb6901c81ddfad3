import { telemetryReadingSchema } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import fc from 'fast-check';
import { checkReading, isPlainValidReading } from '../../../src/core/reading-validation';

const good = {
  deviceId: 'dev-1',
  readingId: 'r-1',
  temperatureC: 21.5,
  humidity: 40,
  recordedAt: '2026-12-05T07:00:00.000Z',
};

describe('checkReading (the hot loop check beside the shared schema)', () => {
  it('accepts only what the shared schema accepts, on arbitrary near-readings', () => {
    const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof(valid, fc.anything());
    const nearReading = fc.record(
      {
        deviceId: field(fc.stringMatching(/^[A-Za-z0-9._:-]{0,130}$/)),
        readingId: field(fc.string({ maxLength: 130 })),
        temperatureC: field(
          fc.oneof(fc.double({ min: -60, max: 110 }), fc.double({ min: -1e-5, max: 1e-5 })),
        ),
        humidity: field(fc.double({ min: -5, max: 105 })),
        recordedAt: field(
          fc.oneof(
            fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
            fc.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:\d{2})$/),
          ),
        ),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    );

    fc.assert(
      fc.property(nearReading, (value) => {
        const schema = telemetryReadingSchema.safeParse(value).success;
        if (isPlainValidReading(value)) expect(schema, JSON.stringify(value)).to.equal(true);
        expect(checkReading(value).ok).to.equal(schema);
      }),
      { numRuns: 1000 },
    );
  });

  it('takes the fast path for an ordinary reading', () => {
    expect(isPlainValidReading(good)).to.equal(true);
    expect(isPlainValidReading({ ...good, recordedAt: '2024-02-29T23:59:59+01:00' })).to.equal(true);
  });

  it('says why a reading is refused, from the schema', () => {
    const check = checkReading({ ...good, temperatureC: 400 });

    expect(check).to.deep.equal({
      ok: false,
      reason: 'schema: temperatureC: Too big: expected number to be <=100',
    });
  });
});
