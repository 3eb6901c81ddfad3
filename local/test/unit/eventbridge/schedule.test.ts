import { expect } from 'chai';
import { InvalidScheduleExpressionError } from '../../../src/triggers/eventbridge/errors';
import { nextFireTime, parseScheduleExpression } from '../../../src/triggers/eventbridge/schedule';

function next(expression: string, after: string): string | undefined {
  return nextFireTime(expression, new Date(after))?.toISOString();
}

describe('nextFireTime', () => {
  describe('rate expressions', () => {
    it('fires one interval after the given time, to the minute', () => {
      expect(next('rate(1 minute)', '2026-03-10T08:00:00.000Z')).to.equal('2026-03-10T08:01:00.000Z');
      expect(next('rate(5 minutes)', '2026-03-10T08:00:30.000Z')).to.equal('2026-03-10T08:05:00.000Z');
      expect(next('rate(1 hour)', '2026-03-10T08:00:00.000Z')).to.equal('2026-03-10T09:00:00.000Z');
      expect(next('rate(2 days)', '2026-03-10T08:00:00.000Z')).to.equal('2026-03-12T08:00:00.000Z');
    });
  });

  describe('cron expressions (UTC)', () => {
    it('fires every day at noon: cron(0 12 * * ? *)', () => {
      expect(next('cron(0 12 * * ? *)', '2026-03-10T08:00:00.000Z')).to.equal('2026-03-10T12:00:00.000Z');
      expect(next('cron(0 12 * * ? *)', '2026-03-10T12:00:00.000Z')).to.equal('2026-03-11T12:00:00.000Z');
    });

    it('fires every 15 minutes: cron(0/15 * * * ? *)', () => {
      expect(next('cron(0/15 * * * ? *)', '2026-03-10T08:07:30.000Z')).to.equal('2026-03-10T08:15:00.000Z');
      expect(next('cron(0/15 * * * ? *)', '2026-03-10T08:45:00.000Z')).to.equal('2026-03-10T09:00:00.000Z');
      expect(next('cron(1/10 * * * ? *)', '2026-03-10T08:02:00.000Z')).to.equal('2026-03-10T08:11:00.000Z');
    });

    it('fires on the last Friday of each month of 2026 only: cron(15 10 ? * 6L 2026)', () => {
      expect(next('cron(15 10 ? * 6L 2026)', '2026-01-01T00:00:00.000Z')).to.equal(
        '2026-01-30T10:15:00.000Z',
      );
      expect(next('cron(15 10 ? * 6L 2026)', '2026-01-30T10:15:00.000Z')).to.equal(
        '2026-02-27T10:15:00.000Z',
      );
      expect(next('cron(15 10 ? * 6L 2026)', '2026-12-25T10:15:00.000Z')).to.equal(undefined);
    });

    it('fires on the weekday nearest the 1st, within the month: cron(0 8 1W * ? *)', () => {
      // 2026-05-01 is a Friday, 2026-08-01 a Saturday, 2026-02-01 a Sunday.
      expect(next('cron(0 8 1W * ? *)', '2026-04-15T00:00:00.000Z')).to.equal('2026-05-01T08:00:00.000Z');
      expect(next('cron(0 8 1W * ? *)', '2026-07-15T00:00:00.000Z')).to.equal('2026-08-03T08:00:00.000Z');
      expect(next('cron(0 8 1W * ? *)', '2026-01-15T00:00:00.000Z')).to.equal('2026-02-02T08:00:00.000Z');
    });

    it('fires on the first Monday of the month: cron(0 0 ? * MON#1 *)', () => {
      expect(next('cron(0 0 ? * MON#1 *)', '2026-02-01T00:00:00.000Z')).to.equal('2026-02-02T00:00:00.000Z');
      expect(next('cron(0 0 ? * MON#1 *)', '2026-02-02T00:00:00.000Z')).to.equal('2026-03-02T00:00:00.000Z');
      expect(next('cron(0 0 ? * 2#1 *)', '2026-02-02T00:00:00.000Z')).to.equal('2026-03-02T00:00:00.000Z');
    });

    it('fires on the last day and the last weekday of the month', () => {
      expect(next('cron(0 0 L * ? *)', '2028-02-10T00:00:00.000Z')).to.equal('2028-02-29T00:00:00.000Z');
      // 2026-05-31 is a Sunday: the last weekday is Friday the 29th.
      expect(next('cron(0 0 LW * ? *)', '2026-05-10T00:00:00.000Z')).to.equal('2026-05-29T00:00:00.000Z');
    });

    it('fires on weekdays only: cron(0 10 ? * MON-FRI *)', () => {
      expect(next('cron(0 10 ? * MON-FRI *)', '2026-05-01T10:00:00.000Z')).to.equal(
        '2026-05-04T10:00:00.000Z',
      );
    });

    it('accepts ranges that wrap around the week', () => {
      expect(next('cron(0 0 ? * FRI-MON *)', '2026-05-05T00:00:00.000Z')).to.equal(
        '2026-05-08T00:00:00.000Z',
      );
      expect(next('cron(0 0 ? * FRI-MON *)', '2026-05-10T00:00:00.000Z')).to.equal(
        '2026-05-11T00:00:00.000Z',
      );
    });

    it('accepts month names and unsorted lists', () => {
      expect(next('cron(0 0 1 JAN,JUL ? *)', '2026-02-01T00:00:00.000Z')).to.equal(
        '2026-07-01T00:00:00.000Z',
      );
      expect(next('cron(12,6 0 * * ? *)', '2026-03-10T00:00:00.000Z')).to.equal('2026-03-10T00:06:00.000Z');
    });

    it('honours the year field', () => {
      expect(next('cron(0 0 1 1 ? 2030-2031)', '2026-03-10T00:00:00.000Z')).to.equal(
        '2030-01-01T00:00:00.000Z',
      );
      expect(next('cron(0 0 1 1 ? 2030-2031)', '2031-01-01T00:00:00.000Z')).to.equal(undefined);
    });

    it('never fires on a day the month does not have', () => {
      expect(next('cron(0 0 31 * ? *)', '2026-04-01T00:00:00.000Z')).to.equal('2026-05-31T00:00:00.000Z');
    });
  });
});

describe('parseScheduleExpression', () => {
  const invalid: Array<[string, RegExp]> = [
    ['rate(1 minutes)', /singular/],
    ['rate(5 minute)', /plural/],
    ['rate(1 hours)', /singular/],
    ['rate(0 minutes)', /positive/],
    ['rate(5 seconds)', /unit/],
    ['rate(1.5 hours)', /unit/],
    ['rate(five minutes)', /unit/],
    ['every 5 minutes', /rate\(value unit\) or cron/],
    ['cron(0 12 * *)', /6 fields/],
    ['cron(0 12 * * * *)', /exactly one of Day-of-month and Day-of-week/],
    ['cron(0 12 ? * ? *)', /exactly one of Day-of-month and Day-of-week/],
    ['cron(60 * * * ? *)', /Minutes: 60 is outside 0-59/],
    ['cron(0 24 * * ? *)', /Hours: 24 is outside 0-23/],
    ['cron(0 0 32 * ? *)', /Day-of-month: 32 is outside 1-31/],
    ['cron(0 0 * 13 ? *)', /Month: 13 is outside 1-12/],
    ['cron(0 0 * FOO ? *)', /Month/],
    ['cron(0 0 ? * 8 *)', /Day-of-week: 8 is outside 1-7/],
    ['cron(0 0 ? * MON#1,FRI#2 *)', /only one expression/],
    ['cron(0 0 ? * MON#6 *)', /occurrence 6/],
    ['cron(0 0 * * ? 1969)', /Year: 1969 is outside 1970-2199/],
    ['cron(*/0 * * * ? *)', /increment/],
    ['cron(0 0 W * ? *)', /Day-of-month/],
    ['cron(0 0 * * ? 2031-2030)', /backwards/],
  ];

  for (const [expression, reason] of invalid) {
    it(`refuses ${expression}`, () => {
      expect(() => parseScheduleExpression(expression))
        .to.throw(InvalidScheduleExpressionError, reason)
        .with.property('message')
        .that.contains(expression);
    });
  }

  it('accepts the examples of the AWS documentation', () => {
    for (const expression of [
      'cron(0 10 * * ? *)',
      'cron(15 12 * * ? *)',
      'cron(0 18 ? * MON-FRI *)',
      'cron(0 8 1 * ? *)',
      'cron(0/15 * * * ? *)',
      'cron(0/10 * ? * MON-FRI *)',
      'cron(0/5 8-17 ? * MON-FRI *)',
      'cron(0 9 ? * 2#1 *)',
      'rate(1 day)',
    ]) {
      expect(() => parseScheduleExpression(expression), expression).not.to.throw();
    }
  });
});
