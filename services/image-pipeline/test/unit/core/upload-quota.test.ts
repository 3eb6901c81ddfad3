import { TooManyRequestsError, toHttpError } from '@serverless-patterns/shared/errors';
import { expect } from 'chai';
import { createUploadQuota, quotaDay, UploadQuotaExceededError } from '../../../src/core/upload-quota';
import { createFakeCounter } from '../fakes';

describe('upload quota', () => {
  describe('quotaDay', () => {
    for (const [now, day, resetsAt] of [
      ['2026-11-29T00:00:00.000Z', '2026-11-29', '2026-11-30T00:00:00.000Z'],
      ['2026-11-29T23:59:59.999Z', '2026-11-29', '2026-11-30T00:00:00.000Z'],
      ['2026-12-31T12:00:00.000Z', '2026-12-31', '2027-01-01T00:00:00.000Z'],
      ['2028-02-28T18:00:00.000Z', '2028-02-28', '2028-02-29T00:00:00.000Z'],
    ] as const) {
      it(`counts ${now} against ${day}, which resets at ${resetsAt}`, () => {
        const window = quotaDay(new Date(now));

        expect({ day: window.day, resetsAt: window.resetsAt.toISOString() }).to.deep.equal({ day, resetsAt });
      });
    }
  });

  it('counts per owner and day, and lets the count expire a day after its reset', async () => {
    const counter = createFakeCounter();
    const quota = createUploadQuota({ counter, dailyLimit: 3 });

    await quota.take('owner-1', new Date('2026-11-29T23:00:00.000Z'));
    const nextDay = await quota.take('owner-1', new Date('2026-11-30T01:00:00.000Z'));

    expect(nextDay).to.deep.equal({ limit: 3, remaining: 2, resetsAt: '2026-12-01T00:00:00.000Z' });
    expect([...counter.counts]).to.deep.equal([
      ['owner-1/2026-11-29', 1],
      ['owner-1/2026-11-30', 1],
    ]);
    expect(counter.expiries.get('owner-1/2026-11-29')?.toISOString()).to.equal('2026-12-01T00:00:00.000Z');
  });

  it('is a 429 whose body says when the quota resets, in minutes when less than an hour is left', async () => {
    const quota = createUploadQuota({ counter: createFakeCounter(), dailyLimit: 1 });
    const now = new Date('2026-11-29T23:30:10.000Z');
    await quota.take('owner-1', now);

    const error = await quota.take('owner-1', now).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(TooManyRequestsError);
    expect(toHttpError(error)).to.deep.equal({
      statusCode: 429,
      body: {
        error: {
          code: 'TOO_MANY_REQUESTS',
          message: "You have reached today's limit of 1 upload. It resets at midnight UTC, in 30 min.",
          details: { limit: 1, resetsAt: '2026-11-30T00:00:00.000Z' },
        },
      },
    });
  });

  it('closes uploads with a limit of 0, without counting', async () => {
    const counter = createFakeCounter();
    const quota = createUploadQuota({ counter, dailyLimit: 0 });

    const error = await quota.take('owner-1', new Date('2026-11-29T10:00:00.000Z')).catch((caught) => caught);

    expect(error).to.be.instanceOf(UploadQuotaExceededError);
    expect(counter.counts.size).to.equal(0);
  });
});
