import { randomUUID } from 'node:crypto';
import type { FailureDestination, LambdaInvoker } from '../../lambda/invoker';
import { InvalidScheduleExpressionError, UnknownRuleError } from './errors';
import type { EventRule } from './rules';
import { nextFireTime, parseScheduleExpression, type Schedule } from './schedule';
import {
  createTargetDelivery,
  type DeliveryOutcome,
  type Log,
  type SetTimer,
  type TimerHandle,
  targetWarnings,
} from './target-delivery';

/** The event a schedule sends, with the fields of AWS's sample (cloudwatch-scheduled-event.json). */
export interface ScheduledEvent {
  version: '0';
  id: string;
  'detail-type': 'Scheduled Event';
  source: 'aws.events';
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, never>;
}

export interface SchedulerOptions {
  rules: readonly EventRule[];
  invoker: LambdaInvoker;
  clock: () => Date;
  setTimer: SetTimer;
  failureDestination?: FailureDestination;
  /** See TargetDeliveryOptions: retries of failed deliveries are capped locally. */
  maxLocalRetries?: number;
  retryDelayMs?: number;
  log?: Log;
}

export interface FireResult {
  event: ScheduledEvent;
  outcomes: DeliveryOutcome[];
}

export interface Scheduler {
  /** Arms a timer for the next fire time of each enabled scheduled rule. */
  start(): void;
  stop(): void;
  /** Fires a scheduled rule's targets now, whatever its schedule or state (for `npm run trigger`). */
  fireNow(ruleName: string): Promise<FireResult>;
  /** When each armed rule fires next. */
  nextFireTimes(): { ruleName: string; at: Date }[];
  /** Resolves once every delivery started so far has finished. */
  idle(): Promise<void>;
  /** Targets that will not be invoked (InputTransformer, non-Lambda targets...), one line each. */
  readonly warnings: readonly string[];
}

/** Node's timers overflow past 2^31-1 ms (about 24.8 days): longer waits are re-armed in steps. */
const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

/**
 * Runs the scheduled rules (ScheduleExpression) of the loaded templates: each enabled rule fires
 * its targets at its rate or cron times (UTC), with the event time set to the scheduled minute.
 * Throws InvalidScheduleExpressionError, naming the rule, for an expression AWS would refuse.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-run-lambda-schedule.html
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { clock, setTimer, log = () => undefined } = options;
  const scheduled = options.rules.filter((rule) => rule.scheduleExpression !== undefined);
  const schedules = new Map<string, Schedule>();
  for (const rule of scheduled) {
    try {
      schedules.set(rule.name, parseScheduleExpression(rule.scheduleExpression ?? ''));
    } catch (error) {
      if (!(error instanceof InvalidScheduleExpressionError)) throw error;
      throw new InvalidScheduleExpressionError(`rule ${rule.name}: ${error.message}`, { cause: error });
    }
  }
  const warnings = targetWarnings(scheduled);
  for (const warning of warnings) log(warning);
  const delivery = createTargetDelivery({
    invoker: options.invoker,
    clock,
    setTimer,
    log,
    ...(options.failureDestination === undefined ? {} : { failureDestination: options.failureDestination }),
    ...(options.maxLocalRetries === undefined ? {} : { maxLocalRetries: options.maxLocalRetries }),
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
  });
  const armed = new Map<string, { at: Date; timer: TimerHandle }>();
  const inFlight = new Set<Promise<unknown>>();

  function track<T>(promise: Promise<T>): Promise<T> {
    inFlight.add(promise);
    void promise.finally(() => inFlight.delete(promise)).catch(() => undefined);
    return promise;
  }

  async function fire(rule: EventRule, at: Date): Promise<FireResult> {
    const event = scheduledEvent(rule, at);
    const outcomes = await delivery.deliverToRule(rule, event);
    return { event, outcomes };
  }

  function arm(rule: EventRule, at: Date | undefined) {
    if (at === undefined) {
      armed.delete(rule.name);
      log('schedule has no further fire time', { rule: rule.name, expression: rule.scheduleExpression });
      return;
    }
    const delay = Math.min(Math.max(at.getTime() - clock().getTime(), 0), MAX_TIMER_DELAY_MS);
    const timer = setTimer(() => onTimer(rule, at), delay);
    armed.set(rule.name, { at, timer });
  }

  function onTimer(rule: EventRule, at: Date) {
    if (armed.get(rule.name)?.at !== at) return;
    const now = clock();
    if (now.getTime() < at.getTime()) {
      arm(rule, at);
      return;
    }
    track(fire(rule, at)).catch((error: unknown) =>
      log('scheduled delivery crashed', { rule: rule.name, error: String(error) }),
    );
    const schedule = schedules.get(rule.name);
    if (schedule !== undefined) arm(rule, nextFireTime(schedule, now > at ? now : at));
  }

  return {
    warnings,
    start() {
      const now = clock();
      for (const rule of scheduled) {
        const schedule = schedules.get(rule.name);
        if (rule.state === 'ENABLED' && schedule !== undefined && !armed.has(rule.name)) {
          arm(rule, nextFireTime(schedule, now));
        }
      }
    },
    stop() {
      for (const { timer } of armed.values()) timer.cancel();
      armed.clear();
    },
    fireNow(ruleName) {
      const rule = scheduled.find((candidate) => candidate.name === ruleName || candidate.arn === ruleName);
      if (rule === undefined) {
        const known = scheduled.map((candidate) => candidate.name).join(', ') || 'none';
        return Promise.reject(
          new UnknownRuleError(`no scheduled rule named ${ruleName} (scheduled rules: ${known})`),
        );
      }
      return track(fire(rule, clock()));
    },
    nextFireTimes() {
      return [...armed.entries()].map(([ruleName, { at }]) => ({ ruleName, at }));
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

/** `arn:aws:events:REGION:ACCOUNT:rule/NAME` gives the event its region and account. */
export function scheduledEvent(rule: EventRule, at: Date): ScheduledEvent {
  const [, , , region = 'us-east-1', account = '000000000000'] = rule.arn.split(':');
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account,
    time: isoSeconds(at),
    region,
    resources: [rule.arn],
    detail: {},
  };
}

/** AWS writes event times to the second, without milliseconds: 2026-01-01T12:00:00Z. */
export function isoSeconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}
