import { InvalidScheduleExpressionError } from './errors';

/**
 * Schedule expressions of EventBridge scheduled rules, evaluated in UTC to the minute:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rate-expressions.html
 */
export type Schedule = RateSchedule | CronSchedule;

export interface RateSchedule {
  kind: 'rate';
  expression: string;
  intervalMs: number;
}

export interface CronSchedule {
  kind: 'cron';
  expression: string;
  minutes: readonly number[];
  hours: readonly number[];
  months: readonly number[];
  years: readonly number[];
  /** The days of a month (1-31) on which the expression fires. */
  daysOf(year: number, month: number): readonly number[];
}

const MINUTE_MS = 60_000;
const RATE_UNITS: Record<string, { singular: boolean; ms: number }> = {
  minute: { singular: true, ms: MINUTE_MS },
  minutes: { singular: false, ms: MINUTE_MS },
  hour: { singular: true, ms: 60 * MINUTE_MS },
  hours: { singular: false, ms: 60 * MINUTE_MS },
  day: { singular: true, ms: 24 * 60 * MINUTE_MS },
  days: { singular: false, ms: 24 * 60 * MINUTE_MS },
};
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const LAST_YEAR = 2199;

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** Whether a range may wrap around (FRI-MON, 22-2); years do not. */
  cyclic: boolean;
}

const MINUTES: FieldSpec = { name: 'Minutes', min: 0, max: 59, cyclic: true };
const HOURS: FieldSpec = { name: 'Hours', min: 0, max: 23, cyclic: true };
const DAY_OF_MONTH: FieldSpec = { name: 'Day-of-month', min: 1, max: 31, cyclic: true };
const MONTH: FieldSpec = { name: 'Month', min: 1, max: 12, names: MONTH_NAMES, cyclic: true };
const DAY_OF_WEEK: FieldSpec = { name: 'Day-of-week', min: 1, max: 7, names: DAY_NAMES, cyclic: true };
const YEAR: FieldSpec = { name: 'Year', min: 1970, max: LAST_YEAR, cyclic: false };

/** Parses and validates a `rate(...)` or `cron(...)` expression; throws InvalidScheduleExpressionError. */
export function parseScheduleExpression(expression: string): Schedule {
  const rate = /^rate\((.*)\)$/.exec(expression);
  if (rate) return parseRate(expression, rate[1] ?? '');
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (cron) return parseCron(expression, cron[1] ?? '');
  return invalid(
    expression,
    'it must be rate(value unit) or cron(minutes hours day-of-month month day-of-week year)',
  );
}

/**
 * The first time strictly after `after` at which the schedule fires, or undefined when a cron
 * expression's years are all past. A rate fires every interval from `after`, to the minute (AWS
 * counts a rate from the rule's creation: the caller passes that time, then each fire time).
 */
export function nextFireTime(expression: string | Schedule, after: Date): Date | undefined {
  const schedule = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  const from = Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS;
  if (schedule.kind === 'rate') return new Date(from + schedule.intervalMs);
  return nextCronTime(schedule, from + MINUTE_MS);
}

function parseRate(expression: string, body: string): RateSchedule {
  const match = /^(\d+) (\w+)$/.exec(body);
  const unit = RATE_UNITS[match?.[2] ?? ''];
  if (match === null || unit === undefined) {
    return invalid(
      expression,
      'a rate is "value unit" with unit minute(s), hour(s) or day(s), e.g. rate(5 minutes)',
    );
  }
  const value = Number(match[1]);
  if (value < 1) return invalid(expression, 'the value must be a positive whole number');
  if ((value === 1) !== unit.singular) {
    return invalid(expression, 'the unit must be singular for a value of 1 and plural for larger values');
  }
  return { kind: 'rate', expression, intervalMs: value * unit.ms };
}

function parseCron(expression: string, body: string): CronSchedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) {
    return invalid(
      expression,
      `a cron expression has 6 fields, this one has ${body.trim() === '' ? 0 : fields.length}`,
    );
  }
  const [minutes = '', hours = '', dayOfMonth = '', month = '', dayOfWeek = '', year = ''] = fields;
  const fail = (reason: string): never => invalid(expression, reason);
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    fail('exactly one of Day-of-month and Day-of-week must be "?"');
  }
  const daysOf = dayOfMonth === '?' ? parseDayOfWeek(dayOfWeek, fail) : parseDayOfMonth(dayOfMonth, fail);
  return {
    kind: 'cron',
    expression,
    minutes: parseValues(minutes, MINUTES, fail),
    hours: parseValues(hours, HOURS, fail),
    months: parseValues(month, MONTH, fail),
    years: parseValues(year, YEAR, fail),
    daysOf: memoizeByMonth(daysOf),
  };
}

function nextCronTime(schedule: CronSchedule, fromMs: number): Date | undefined {
  const from = new Date(fromMs);
  for (const year of schedule.years) {
    if (year < from.getUTCFullYear()) continue;
    for (const month of schedule.months) {
      if (Date.UTC(year, month, 1) <= fromMs) continue;
      for (const day of schedule.daysOf(year, month)) {
        if (Date.UTC(year, month - 1, day + 1) <= fromMs) continue;
        for (const hour of schedule.hours) {
          if (Date.UTC(year, month - 1, day, hour + 1) <= fromMs) continue;
          for (const minute of schedule.minutes) {
            const candidate = Date.UTC(year, month - 1, day, hour, minute);
            if (candidate >= fromMs) return new Date(candidate);
          }
        }
      }
    }
  }
  return undefined;
}

type Fail = (reason: string) => never;
type DaysOf = (year: number, month: number) => number[];

/** `*`, `5`, `1-15`, `JAN-MAR`, `0/15`, `*\/5`, `10-40/10`, and lists of those. */
function parseValues(text: string, spec: FieldSpec, fail: Fail): number[] {
  const values = new Set<number>();
  for (const item of text.split(',')) {
    for (const value of parseItem(item, spec, fail)) values.add(value);
  }
  return [...values].sort((a, b) => a - b);
}

function parseItem(item: string, spec: FieldSpec, fail: Fail): number[] {
  const [range = '', step, ...extra] = item.split('/');
  if (extra.length > 0) fail(`${spec.name}: "${item}" has more than one "/"`);
  const increment = step === undefined ? 1 : parseNumber(step, 'increment', fail);
  if (increment < 1) fail(`${spec.name}: the increment in "${item}" must be at least 1`);
  let start: number;
  let end: number;
  if (range === '*') {
    start = spec.min;
    end = spec.max;
  } else if (range.includes('-')) {
    const [first = '', last = '', ...more] = range.split('-');
    if (more.length > 0) fail(`${spec.name}: "${item}" is not a range`);
    start = parseValue(first, spec, fail);
    end = parseValue(last, spec, fail);
    if (end < start && !spec.cyclic) fail(`${spec.name}: the range "${item}" runs backwards`);
  } else {
    start = parseValue(range, spec, fail);
    // `5/15` runs from 5 to the end of the field; a bare `5` is the value alone.
    end = step === undefined ? start : spec.max;
  }
  const span = end >= start ? end - start : end - start + (spec.max - spec.min + 1);
  const values: number[] = [];
  for (let offset = 0; offset <= span; offset += increment) {
    const value = start + offset;
    values.push(value > spec.max ? value - (spec.max - spec.min + 1) : value);
  }
  return values;
}

function parseValue(text: string, spec: FieldSpec, fail: Fail): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + 1 : parseNumber(text, spec.name, fail);
  if (value < spec.min || value > spec.max) {
    fail(`${spec.name}: ${text} is outside ${spec.min}-${spec.max}`);
  }
  return value;
}

function parseNumber(text: string, what: string, fail: Fail): number {
  if (!/^\d+$/.test(text)) fail(`${what}: "${text}" is not a number`);
  return Number(text);
}

/** Day-of-month: values, ranges and increments, plus `L` (last day), `L-2`, `15W` (nearest weekday), `LW`. */
function parseDayOfMonth(text: string, fail: Fail): DaysOf {
  const parts = text.split(',').map((item): DaysOf => {
    if (item === 'L') return (year, month) => [lastDay(year, month)];
    if (item === 'LW') return (year, month) => [nearestWeekday(year, month, lastDay(year, month))];
    const fromLast = /^L-(\d+)$/.exec(item);
    if (fromLast) {
      const offset = Number(fromLast[1]);
      if (offset > 30) fail(`Day-of-month: "${item}" reaches before the first of the month`);
      return (year, month) => (lastDay(year, month) - offset >= 1 ? [lastDay(year, month) - offset] : []);
    }
    const weekday = /^(\d+)W$/.exec(item);
    if (weekday) {
      const day = parseValue(weekday[1] ?? '', DAY_OF_MONTH, fail);
      return (year, month) => (day <= lastDay(year, month) ? [nearestWeekday(year, month, day)] : []);
    }
    const days = parseItem(item, DAY_OF_MONTH, fail);
    return (year, month) => days.filter((day) => day <= lastDay(year, month));
  });
  return union(parts);
}

/** Day-of-week (1 = SUN ... 7 = SAT): values and ranges, `L` (Saturday), `6L` (last Friday), `MON#1`. */
function parseDayOfWeek(text: string, fail: Fail): DaysOf {
  const items = text.split(',');
  if (text.includes('#') && items.length > 1) fail('Day-of-week: a field with "#" holds only one expression');
  const parts = items.map((item): DaysOf => {
    const nth = /^(\w+)#(\d+)$/.exec(item);
    if (nth) {
      const weekday = parseValue(nth[1] ?? '', DAY_OF_WEEK, fail);
      const occurrence = parseNumber(nth[2] ?? '', 'Day-of-week', fail);
      if (occurrence < 1 || occurrence > 5)
        fail(`Day-of-week: "${item}" asks for occurrence ${occurrence} of 1-5`);
      return (year, month) => {
        const day = weekdaysOf(year, month, new Set([weekday]))[occurrence - 1];
        return day === undefined ? [] : [day];
      };
    }
    const last = /^(\w*)L$/.exec(item);
    if (last) {
      const weekday = last[1] === '' ? 7 : parseValue(last[1] ?? '', DAY_OF_WEEK, fail);
      return (year, month) => weekdaysOf(year, month, new Set([weekday])).slice(-1);
    }
    const weekdays = new Set(parseItem(item, DAY_OF_WEEK, fail));
    return (year, month) => weekdaysOf(year, month, weekdays);
  });
  return union(parts);
}

function union(parts: DaysOf[]): DaysOf {
  return (year, month) => [...new Set(parts.flatMap((part) => part(year, month)))].sort((a, b) => a - b);
}

function memoizeByMonth(daysOf: DaysOf): DaysOf {
  const cache = new Map<number, number[]>();
  return (year, month) => {
    const key = year * 100 + month;
    let days = cache.get(key);
    if (days === undefined) {
      days = daysOf(year, month);
      cache.set(key, days);
    }
    return days;
  };
}

function lastDay(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Weekday as cron numbers it: 1 = Sunday ... 7 = Saturday. */
function cronWeekday(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function weekdaysOf(year: number, month: number, weekdays: ReadonlySet<number>): number[] {
  const days: number[] = [];
  for (let day = 1; day <= lastDay(year, month); day += 1) {
    if (weekdays.has(cronWeekday(year, month, day))) days.push(day);
  }
  return days;
}

/** The Monday-to-Friday day closest to `day`, without leaving the month (as Quartz's `W`). */
function nearestWeekday(year: number, month: number, day: number): number {
  const weekday = cronWeekday(year, month, day);
  if (weekday === 7) return day === 1 ? 3 : day - 1;
  if (weekday === 1) return day === lastDay(year, month) ? day - 2 : day + 1;
  return day;
}

function invalid(expression: string, reason: string): never {
  throw new InvalidScheduleExpressionError(
    `Parameter ScheduleExpression is not valid: ${JSON.stringify(expression)}: ${reason}`,
  );
}
