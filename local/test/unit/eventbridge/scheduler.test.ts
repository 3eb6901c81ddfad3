import { expect } from 'chai';
import { InvalidScheduleExpressionError, UnknownRuleError } from '../../../src/triggers/eventbridge/errors';
import type { EventRule, RuleTarget } from '../../../src/triggers/eventbridge/rules';
import { createScheduler, type SchedulerOptions } from '../../../src/triggers/eventbridge/scheduler';
import { FakeTime, RecordingDestination, RecordingInvoker } from './fakes';

const FUNCTION = 'ops-local-snapshotSweep';
const FUNCTION_ARN = `arn:aws:lambda:eu-west-1:123456789012:function:${FUNCTION}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function scheduledRule(
  name: string,
  scheduleExpression: string,
  overrides: Partial<EventRule> = {},
): EventRule {
  return {
    name,
    arn: `arn:aws:events:eu-west-1:123456789012:rule/${name}`,
    eventBusName: 'default',
    scheduleExpression,
    state: 'ENABLED',
    targets: [{ id: 'target', arn: FUNCTION_ARN }],
    ...overrides,
  };
}

function withTarget(target: Partial<RuleTarget>): Partial<EventRule> {
  return { targets: [{ id: 'target', arn: FUNCTION_ARN, ...target }] };
}

function setUp(rules: EventRule[], options: Partial<SchedulerOptions> = {}) {
  const time = new FakeTime('2026-03-10T08:00:20.000Z');
  const invoker = new RecordingInvoker();
  const destination = new RecordingDestination();
  const scheduler = createScheduler({
    rules,
    invoker,
    clock: time.clock,
    setTimer: time.setTimer,
    failureDestination: destination,
    ...options,
  });
  return { time, invoker, destination, scheduler };
}

describe('createScheduler', () => {
  it('fires a rate rule every interval with the event of a scheduled rule', async () => {
    const { time, invoker, scheduler } = setUp([scheduledRule('sweep', 'rate(5 minutes)')]);

    scheduler.start();
    await time.advanceTo('2026-03-10T08:04:59.000Z');
    expect(invoker.invocations).to.have.length(0);
    await time.advanceTo('2026-03-10T08:10:00.000Z');

    expect(invoker.invocations.map(({ functionName }) => functionName)).to.deep.equal([FUNCTION, FUNCTION]);
    const [first, second] = invoker.invocations.map(({ payload }) => payload as Record<string, unknown>);
    expect(first).to.deep.include({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: '2026-03-10T08:05:00Z',
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:123456789012:rule/sweep'],
      detail: {},
    });
    expect(first?.id).to.match(UUID);
    expect(second?.time).to.equal('2026-03-10T08:10:00Z');
    expect(second?.id).not.to.equal(first?.id);
  });

  it('fires a cron rule at its UTC times', async () => {
    const { time, invoker, scheduler } = setUp([scheduledRule('noon', 'cron(0 12 * * ? *)')]);

    scheduler.start();
    expect(scheduler.nextFireTimes()).to.deep.equal([
      { ruleName: 'noon', at: new Date('2026-03-10T12:00:00.000Z') },
    ]);
    await time.advanceTo('2026-03-12T00:00:00.000Z');

    expect(invoker.invocations.map(({ payload }) => (payload as { time: string }).time)).to.deep.equal([
      '2026-03-10T12:00:00Z',
      '2026-03-11T12:00:00Z',
    ]);
  });

  it('never fires a disabled rule on its schedule', async () => {
    const { time, invoker, scheduler } = setUp([
      scheduledRule('off', 'rate(1 minute)', { state: 'DISABLED' }),
    ]);

    scheduler.start();
    await time.advanceTo('2026-03-10T09:00:00.000Z');

    expect(invoker.invocations).to.have.length(0);
    expect(time.pendingTimers).to.equal(0);
  });

  it('stops firing once stopped', async () => {
    const { time, invoker, scheduler } = setUp([scheduledRule('sweep', 'rate(1 minute)')]);

    scheduler.start();
    await time.advanceTo('2026-03-10T08:01:00.000Z');
    scheduler.stop();
    await time.advanceTo('2026-03-10T09:00:00.000Z');

    expect(invoker.invocations).to.have.length(1);
  });

  it('waits in steps for a fire time further away than a Node timer reaches', async () => {
    const { time, invoker, scheduler } = setUp([scheduledRule('yearly', 'cron(0 0 1 1 ? *)')]);

    scheduler.start();
    await time.advanceTo('2026-12-31T23:59:00.000Z');
    expect(invoker.invocations).to.have.length(0);
    await time.advanceTo('2027-01-01T00:00:00.000Z');

    expect(invoker.invocations).to.have.length(1);
    expect(time.longestDelayMs).to.be.at.most(2 ** 31 - 1);
  });

  it('sends the constant Input instead of the event', async () => {
    const { invoker, scheduler } = setUp([
      scheduledRule('with-input', 'rate(1 hour)', withTarget({ input: '{"a":1}' })),
    ]);

    await scheduler.fireNow('with-input');

    expect(invoker.invocations[0]?.payload).to.deep.equal({ a: 1 });
  });

  it('sends the part of the event that InputPath selects', async () => {
    const { invoker, scheduler } = setUp([
      scheduledRule('path', 'rate(1 hour)', withTarget({ inputPath: '$.resources[0]' })),
    ]);

    await scheduler.fireNow('path');

    expect(invoker.invocations[0]?.payload).to.equal('arn:aws:events:eu-west-1:123456789012:rule/path');
  });

  it('warns that InputTransformer is not emulated and does not invoke that target', async () => {
    const transformer = { InputTemplate: '{"time": <t>}', InputPathsMap: { t: '$.time' } };
    const logged: string[] = [];
    const { invoker, scheduler } = setUp(
      [scheduledRule('transformed', 'rate(1 hour)', withTarget({ inputTransformer: transformer }))],
      { log: (message) => logged.push(message) },
    );

    const result = await scheduler.fireNow('transformed');

    expect(scheduler.warnings).to.have.length(1);
    expect(scheduler.warnings[0]).to.match(/transformed.*not emulated: InputTransformer/);
    expect(logged).to.include(scheduler.warnings[0]);
    expect(result.outcomes[0]?.status).to.equal('not-emulated');
    expect(invoker.invocations).to.have.length(0);
  });

  it('warns about targets that are not Lambda functions', () => {
    const { scheduler } = setUp([
      scheduledRule('to-queue', 'rate(1 hour)', withTarget({ arn: 'arn:aws:sqs:eu-west-1:123456789012:q' })),
    ]);

    expect(scheduler.warnings[0]).to.match(/only Lambda function targets/);
  });

  describe('fireNow', () => {
    it('fires a rule at once with the current time, even a disabled one', async () => {
      const { invoker, scheduler } = setUp([
        scheduledRule('off', 'cron(0 3 * * ? *)', { state: 'DISABLED' }),
      ]);

      const result = await scheduler.fireNow('off');

      expect(result.event.time).to.equal('2026-03-10T08:00:20Z');
      expect(result.outcomes).to.deep.equal([
        { ruleName: 'off', targetId: 'target', status: 'delivered', attempts: 1 },
      ]);
      expect(invoker.invocations).to.have.length(1);
    });

    it('finds a rule by its ARN too', async () => {
      const { invoker, scheduler } = setUp([scheduledRule('sweep', 'rate(1 hour)')]);

      await scheduler.fireNow('arn:aws:events:eu-west-1:123456789012:rule/sweep');

      expect(invoker.invocations).to.have.length(1);
    });

    it('refuses a rule it does not know, listing the scheduled rules', async () => {
      const { scheduler } = setUp([scheduledRule('sweep', 'rate(1 hour)')]);

      const error = await scheduler.fireNow('nope').then(
        () => undefined,
        (reason: unknown) => reason,
      );

      expect(error).to.be.instanceOf(UnknownRuleError);
      expect((error as Error).message).to.contain('sweep');
    });
  });

  describe('failures', () => {
    const unreachable = () => {
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3002'), { name: 'Error' });
    };

    it('retries a failed delivery, capped locally, then sends the event to the dead-letter queue', async () => {
      const dlq = 'arn:aws:sqs:eu-west-1:123456789012:sweep-dlq';
      const { time, invoker, destination, scheduler } = setUp(
        [scheduledRule('sweep', 'rate(1 hour)', withTarget({ deadLetterArn: dlq }))],
        { maxLocalRetries: 2, retryDelayMs: 1_000 },
      );
      invoker.respond = unreachable;

      const firing = scheduler.fireNow('sweep');
      await time.advanceTo('2026-03-10T08:00:23.000Z');
      const result = await firing;

      expect(invoker.invocations).to.have.length(3);
      expect(result.outcomes[0]).to.deep.include({ status: 'sent-to-dead-letter-queue', attempts: 3 });
      expect(destination.sent).to.deep.equal([{ destinationArn: dlq, message: result.event }]);
    });

    it('makes no more retries than the target RetryPolicy allows', async () => {
      const { invoker, destination, scheduler } = setUp([
        scheduledRule('sweep', 'rate(1 hour)', withTarget({ maximumRetryAttempts: 0 })),
      ]);
      invoker.respond = unreachable;

      const result = await scheduler.fireNow('sweep');

      expect(invoker.invocations).to.have.length(1);
      expect(result.outcomes[0]?.status).to.equal('dropped');
      expect(destination.sent).to.have.length(0);
    });

    it('sends to the dead-letter queue without retrying when the function does not exist', async () => {
      const dlq = 'arn:aws:sqs:eu-west-1:123456789012:dlq';
      const { invoker, destination, scheduler } = setUp([
        scheduledRule('sweep', 'rate(1 hour)', withTarget({ deadLetterArn: dlq })),
      ]);
      invoker.respond = () => {
        throw Object.assign(new Error('Function not found'), { name: 'ResourceNotFoundException' });
      };

      await scheduler.fireNow('sweep');

      expect(invoker.invocations).to.have.length(1);
      expect(destination.sent).to.have.length(1);
    });

    it("leaves a function's own error to Lambda: no EventBridge retry, no target dead-letter queue", async () => {
      const { invoker, destination, scheduler } = setUp([
        scheduledRule('sweep', 'rate(1 hour)', withTarget({ deadLetterArn: 'arn:aws:sqs:eu-west-1:1:dlq' })),
      ]);
      invoker.respond = () => ({ payload: { errorMessage: 'boom' }, functionError: 'Unhandled' });

      const result = await scheduler.fireNow('sweep');

      expect(invoker.invocations).to.have.length(1);
      expect(result.outcomes[0]).to.deep.include({ status: 'function-error', error: 'Unhandled' });
      expect(destination.sent).to.have.length(0);
    });
  });

  it('refuses an invalid schedule expression, naming the rule', () => {
    expect(() => setUp([scheduledRule('broken', 'rate(1 minutes)')])).to.throw(
      InvalidScheduleExpressionError,
      /broken/,
    );
  });
});
