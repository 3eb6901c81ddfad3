import { expect } from 'chai';
import { dueOccurrence } from '../../../../src/core/tasks/schedule';
import {
  listsTask,
  type StoredTask,
  taskDefinitionSchema,
  whyNotSelected,
} from '../../../../src/core/tasks/task-definition';
import type { TaskTarget } from '../../../../src/core/tasks/task-executor';
import { createTaskScheduler, type RunStart } from '../../../../src/core/tasks/task-scheduler';

const ROLE_A = 'arn:aws:iam::111111111111:role/ops-automator-task';
const ROLE_B = 'arn:aws:iam::222222222222:role/ops-automator-task';

function task(overrides: Partial<StoredTask> = {}): StoredTask {
  return {
    name: 'daily',
    action: 'CreateSnapshot',
    tagKey: 'OpsAutomatorTaskList',
    schedule: '0 3 * * *',
    accounts: [ROLE_A, ROLE_B],
    regions: ['eu-west-1', 'us-east-1'],
    dryRun: false,
    enabled: true,
    createdAt: '2026-01-01T00:00:00Z',
    ...overrides,
  };
}

function setUp(tasks: StoredTask[], now: string) {
  const sent: TaskTarget[] = [];
  const runs: RunStart[] = [];
  let clock = new Date(now);
  const scheduler = createTaskScheduler({
    tasks: {
      listAll: async () => tasks.map((stored) => ({ ...stored })),
      markScheduled: async (name, previous, occurrence) => {
        const stored = tasks.find((candidate) => candidate.name === name);
        if (stored === undefined || stored.lastScheduledFor !== previous) return false;
        stored.lastScheduledFor = occurrence;
        return true;
      },
    },
    queue: { send: async (targets) => void sent.push(...targets) },
    runLog: { startRun: async (run) => void runs.push(run) },
    clock: () => clock,
  });
  return { scheduler, sent, runs, setNow: (at: string) => (clock = new Date(at)) };
}

describe('task schedule', () => {
  it('is due for the latest occurrence after the last one dispatched, and not again', () => {
    const created = { createdAt: '2026-01-01T00:00:00Z' };
    expect(dueOccurrence('0 3 * * *', created, new Date('2026-01-01T02:59:00Z'))).to.equal(undefined);
    expect(dueOccurrence('0 3 * * *', created, new Date('2026-01-01T03:02:00Z'))?.toISOString()).to.equal(
      '2026-01-01T03:00:00.000Z',
    );
    expect(
      dueOccurrence(
        '0 3 * * *',
        { ...created, lastScheduledFor: '2026-01-01T03:00:00.000Z' },
        new Date('2026-01-01T03:07:00Z'),
      ),
    ).to.equal(undefined);
  });

  it('catches up once, with the latest occurrence, after the scheduler was down', () => {
    const due = dueOccurrence(
      '*/10 * * * *',
      { createdAt: '2026-01-01T00:00:00Z', lastScheduledFor: '2026-01-01T00:10:00.000Z' },
      new Date('2026-01-01T02:03:00Z'),
    );
    expect(due?.toISOString()).to.equal('2026-01-01T02:00:00.000Z');
  });
});

describe('task definition', () => {
  it('selects by a comma-separated list of exact task names', () => {
    expect(listsTask('weekly, daily', 'daily')).to.equal(true);
    expect(listsTask('Daily', 'daily')).to.equal(false);
    expect(listsTask(undefined, 'daily')).to.equal(false);
    expect(
      whyNotSelected([{ Key: 'Backup', Value: 'daily' }], { name: 'daily', tagKey: 'OpsAutomatorTaskList' }),
    ).to.equal(undefined);
  });

  it('refuses a schedule croner cannot read, a DeleteSnapshots task without retention, and an account that is not a role', () => {
    const valid = {
      name: 'daily',
      action: 'CreateSnapshot',
      schedule: '0 3 * * *',
      accounts: [ROLE_A],
      regions: ['eu-west-1'],
    };
    expect(taskDefinitionSchema.parse(valid)).to.include({
      tagKey: 'OpsAutomatorTaskList',
      dryRun: false,
      enabled: true,
    });
    const paths = (input: unknown) =>
      taskDefinitionSchema.safeParse(input).error?.issues.map((issue) => issue.path.join('.'));
    expect(paths({ ...valid, schedule: 'every day' })).to.deep.equal(['schedule']);
    expect(paths({ ...valid, action: 'DeleteSnapshots' })).to.deep.equal(['retention']);
    expect(paths({ ...valid, accounts: ['111111111111'] })).to.deep.equal(['accounts.0']);
    expect(paths({ ...valid, retention: {} })).to.deep.equal(['retention']);
  });
});

describe('task scheduler', () => {
  it('fans a due task out to one message per account x region, once per occurrence', async () => {
    const tasks = [
      task(),
      task({ name: 'off', enabled: false }),
      task({ name: 'later', schedule: '0 5 * * *', createdAt: '2026-01-02T00:00:00Z' }),
    ];
    const { scheduler, sent, runs } = setUp(tasks, '2026-01-02T03:04:00Z');

    const first = await scheduler.tick();
    const second = await scheduler.tick();

    expect(first.dispatched.map((run) => run.runId)).to.deep.equal(['daily@2026-01-02T03:00:00.000Z']);
    expect(second.dispatched).to.deep.equal([]);
    expect(sent.map((target) => `${target.roleArn.split(':')[4]} ${target.region}`)).to.deep.equal([
      '111111111111 eu-west-1',
      '111111111111 us-east-1',
      '222222222222 eu-west-1',
      '222222222222 us-east-1',
    ]);
    expect(runs).to.have.length(1);
    expect(runs[0]).to.include({ taskName: 'daily', trigger: 'schedule', targets: 4 });
  });

  it('names a task overdue when its last occurrence has not finished within 30 minutes', async () => {
    const tasks = [
      task({ lastScheduledFor: '2026-01-02T03:00:00.000Z' }),
      task({
        name: 'done',
        lastScheduledFor: '2026-01-02T03:00:00.000Z',
        lastCompletedAt: '2026-01-02T03:01:00.000Z',
      }),
    ];
    const { scheduler, setNow } = setUp(tasks, '2026-01-02T03:20:00Z');

    expect((await scheduler.tick()).overdue).to.deep.equal([]);
    setNow('2026-01-02T03:35:00Z');
    expect((await scheduler.tick()).overdue).to.deep.equal(['daily']);
  });

  it('runs a task now, outside its schedule, as its own run', async () => {
    const { scheduler, sent } = setUp([], '2026-01-02T10:00:00Z');

    const run = await scheduler.runNow(task({ enabled: false }));

    expect(run).to.include({ trigger: 'manual', runId: 'daily@manual-2026-01-02T10:00:00.000Z' });
    expect(sent).to.have.length(4);
  });
});
