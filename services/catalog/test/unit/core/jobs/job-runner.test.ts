import { ConflictError, NotFoundError } from '@serverless-patterns/shared/errors';
import type { JobItems } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import {
  createJobFailureRecorder,
  createJobReader,
  createJobStarter,
  type ExecutionState,
  type JobExecutions,
  type JobRecord,
  type JobStore,
} from '../../../../src/core/jobs/job-runner';

/** A store that, like DynamoDB, gives maps back with their keys in another order. */
function fakeJobs(): JobStore & { records: Map<string, JobRecord> } {
  const records = new Map<string, JobRecord>();
  const reordered = (record: JobRecord): JobRecord => ({
    ...record,
    params: Object.fromEntries(Object.entries(record.params).reverse()),
  });
  return {
    records,
    async create(record) {
      const stored = records.get(record.jobId);
      if (stored !== undefined) return reordered(stored);
      records.set(record.jobId, record);
      return record;
    },
    async get(jobId) {
      const stored = records.get(jobId);
      return stored === undefined ? undefined : reordered(stored);
    },
    async update(jobId, fields) {
      const stored = records.get(jobId);
      if (stored === undefined) throw new Error(`no ${jobId}`);
      records.set(jobId, { ...stored, ...fields });
    },
  };
}

function fakeExecutions(state: ExecutionState = { status: 'RUNNING' }, items?: JobItems) {
  const started: string[] = [];
  const executions: JobExecutions = {
    async start(name) {
      started.push(name);
      return { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:run-job:${name}` };
    },
    describe: async () => state,
    items: async () => items,
  };
  return { executions, started };
}

const MORTGAGE = {
  loans: 4,
  portfolioSeed: 1,
  scenarios: 2,
  months: 12,
  seed: 1,
  loansPerChunk: 2,
  mappers: 1,
  toleratedFailurePercentage: 0,
};
const clock = () => new Date('2026-12-05T08:00:00.000Z');

describe('job runner (core)', () => {
  it('starts a job once: the same request again answers the same job, other parameters are a conflict', async () => {
    const jobs = fakeJobs();
    const { executions, started } = fakeExecutions();
    const starter = createJobStarter({ jobs, executions, clock, newId: () => 'minted' });

    const first = await starter.start('admin-1', { jobId: 'j-1', type: 'mortgage', params: MORTGAGE });
    const again = await starter.start('admin-1', { jobId: 'j-1', type: 'mortgage', params: MORTGAGE });

    expect(first.created).to.equal(true);
    expect(again.created).to.equal(false);
    expect(again.job).to.deep.equal(first.job);
    expect(started).to.deep.equal(['j-1']);
    const other = starter.start('admin-1', {
      jobId: 'j-1',
      type: 'mortgage',
      params: { ...MORTGAGE, loans: 5 },
    });
    expect(await other.catch((error: unknown) => error)).to.be.instanceOf(ConflictError);
    expect((await starter.start('admin-1', { type: 'mortgage', params: MORTGAGE })).job.jobId).to.equal(
      'minted',
    );
  });

  it('reports the Map Run progress, and a job whose execution stopped from outside as FAILED', async () => {
    const jobs = fakeJobs();
    const items = { total: 4, succeeded: 1, failed: 0, running: 2, pending: 1 };
    const running = fakeExecutions({ status: 'RUNNING' }, items);
    await createJobStarter({ jobs, executions: running.executions, clock, newId: () => 'x' }).start('a', {
      jobId: 'j-2',
      type: 'mortgage',
      params: MORTGAGE,
    });

    expect(await createJobReader({ jobs, executions: running.executions }).get('j-2')).to.include({
      status: 'RUNNING',
    });
    expect((await createJobReader({ jobs, executions: running.executions }).get('j-2')).items).to.deep.equal(
      items,
    );
    const aborted = fakeExecutions({ status: 'ABORTED' }).executions;
    expect((await createJobReader({ jobs, executions: aborted }).get('j-2')).status).to.equal('FAILED');
    const missing = await createJobReader({ jobs, executions: aborted })
      .get('nope')
      .catch((error: unknown) => error);
    expect(missing).to.be.instanceOf(NotFoundError);
  });

  it("records a failure with the function's error message", async () => {
    const jobs = fakeJobs();
    await jobs.create({
      jobId: 'j-3',
      type: 'mortgage',
      params: {},
      status: 'RUNNING',
      requestedBy: 'a',
      startedAt: '',
    });
    const none = { list: async () => [], read: async () => new Uint8Array() };
    await createJobFailureRecorder({ jobs, results: none, clock }).record('j-3', {
      Error: 'JobInputError',
      Cause: JSON.stringify({ errorMessage: 'job j-3 has nothing to process' }),
    });
    expect(jobs.records.get('j-3')).to.deep.include({
      status: 'FAILED',
      error: { code: 'JobInputError', message: 'job j-3 has nothing to process' },
    });
  });

  it('names the first failed chunk when the Map failed past its tolerance', async () => {
    const jobs = fakeJobs();
    await jobs.create({
      jobId: 'j-4',
      type: 'compaction',
      params: {},
      status: 'RUNNING',
      requestedBy: 'a',
      startedAt: '',
    });
    const failed = [
      { Error: 'Error', Cause: JSON.stringify({ errorMessage: 'Malformed JSON in file source.jsonl' }) },
      { Error: 'Error', Cause: 'other' },
    ];
    const results = {
      list: async (prefix: string) => [
        { key: `${prefix}run-1/manifest.json`, sizeBytes: 1, etag: '' },
        { key: `${prefix}run-1/FAILED_0.json`, sizeBytes: 1, etag: '' },
      ],
      read: async (key: string) => Buffer.from(key.endsWith('FAILED_0.json') ? JSON.stringify(failed) : '{}'),
    };
    await createJobFailureRecorder({ jobs, results, clock }).record('j-4', {
      Error: 'States.ExceedToleratedFailureThreshold',
      Cause: 'The specified tolerated failure threshold was exceeded',
    });
    expect(jobs.records.get('j-4')?.error).to.deep.equal({
      code: 'States.ExceedToleratedFailureThreshold',
      message: '2 chunk(s) failed; the first: Error: Malformed JSON in file source.jsonl',
    });
  });
});
