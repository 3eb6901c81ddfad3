import { ConflictError, NotFoundError } from '@serverless-patterns/shared/errors';
import type { JobItems, JobView, StartJobRequest } from '@serverless-patterns/shared/schemas/api';
import type { JobSpec } from '@serverless-patterns/shared/schemas/events';
import { type JobObjects, jobFolder } from './job-steps';

// Starting and following batch jobs (POST and GET /catalog/jobs). A job is a record in the catalog
// table and an execution of the job state machine named after the job, so that a request sent twice
// starts one execution: Step Functions answers the same execution for the same name and input.
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html

export interface JobRecord {
  jobId: string;
  type: JobSpec['type'];
  params: Record<string, unknown>;
  status: JobView['status'];
  requestedBy: string;
  executionArn?: string;
  result?: JobView['result'];
  error?: JobView['error'];
  startedAt: string;
  finishedAt?: string;
}

export interface JobStore {
  /** Creates the record unless one exists; the stored one either way. */
  create(record: JobRecord): Promise<JobRecord>;
  get(jobId: string): Promise<JobRecord | undefined>;
  update(jobId: string, fields: Partial<JobRecord>): Promise<void>;
}

export interface ExecutionState {
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE';
  error?: string;
  cause?: string;
}

export interface JobExecutions {
  start(name: string, input: { job: JobSpec }): Promise<{ executionArn: string }>;
  describe(executionArn: string): Promise<ExecutionState | undefined>;
  /** The item counts of the execution's Map Run; undefined before the Map state starts. */
  items(executionArn: string): Promise<JobItems | undefined>;
}

/** Keys sorted at every level: DynamoDB does not keep a map's order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

const sameJob = (a: Pick<JobRecord, 'type' | 'params'>, b: Pick<JobRecord, 'type' | 'params'>) =>
  a.type === b.type && canonical(a.params) === canonical(b.params);

export function createJobStarter({
  jobs,
  executions,
  clock,
  newId,
}: {
  jobs: JobStore;
  executions: JobExecutions;
  clock: () => Date;
  newId: () => string;
}) {
  return {
    async start(requestedBy: string, request: StartJobRequest): Promise<{ job: JobView; created: boolean }> {
      const spec = { jobId: request.jobId ?? newId(), type: request.type, params: request.params } as JobSpec;
      const wanted: JobRecord = {
        ...spec,
        status: 'RUNNING',
        requestedBy,
        startedAt: clock().toISOString(),
      };
      const stored = await jobs.create(wanted);
      if (!sameJob(stored, wanted))
        throw new ConflictError(`Job ${spec.jobId} exists with another type or other parameters`);
      const created = stored.startedAt === wanted.startedAt && stored.executionArn === undefined;
      // Started once: a record without its execution (a crash between the two) gets it now, under
      // the job's name and with the parameters in the schema's order, as the first attempt sent them.
      const executionArn =
        stored.executionArn ?? (await executions.start(spec.jobId, { job: spec })).executionArn;
      if (stored.executionArn === undefined) await jobs.update(spec.jobId, { executionArn });
      return { job: viewOf({ ...stored, executionArn }), created };
    },
  };
}

export function createJobReader({ jobs, executions }: { jobs: JobStore; executions: JobExecutions }) {
  return {
    async get(jobId: string | undefined): Promise<JobView> {
      const record = jobId === undefined ? undefined : await jobs.get(jobId);
      if (record === undefined) throw new NotFoundError(`No job ${jobId}`);
      if (record.executionArn === undefined) return viewOf(record);
      const [execution, items] = await Promise.all([
        record.status === 'RUNNING' ? executions.describe(record.executionArn) : undefined,
        executions.items(record.executionArn),
      ]);
      // The record says RUNNING until the reducer or the failure step writes it; an execution stopped
      // from outside (aborted, timed out) never reaches either.
      if (execution !== undefined && execution.status !== 'RUNNING' && execution.status !== 'SUCCEEDED')
        return viewOf(
          {
            ...record,
            status: 'FAILED',
            error: {
              code: execution.error ?? execution.status,
              message: execution.cause ?? `execution ${execution.status}`,
            },
          },
          items,
        );
      return viewOf(record, items);
    },
  };
}

/** The failure step of the state machine: the record says FAILED, with Step Functions' error. */
export function createJobFailureRecorder({
  jobs,
  results,
  clock,
}: {
  jobs: JobStore;
  /** The lake, where the Map's ResultWriter put the failed children (FAILED_<n>.json). */
  results: Pick<JobObjects, 'list' | 'read'>;
  clock: () => Date;
}) {
  /** A Map that failed past its tolerance says only that: the first failed chunk says why. */
  async function firstChunkFailure(jobId: string): Promise<string | undefined> {
    const files = (await results.list(`${jobFolder(jobId)}/map-results/`)).filter(({ key }) =>
      /\/FAILED_\d+\.json$/.test(key),
    );
    const children: { Error?: string; Cause?: string }[] = [];
    for (const { key } of files)
      children.push(...(JSON.parse(new TextDecoder().decode(await results.read(key))) as typeof children));
    const [first] = children;
    if (first === undefined) return undefined;
    return `${children.length} chunk(s) failed; the first: ${first.Error ?? 'error'}: ${messageOf(first.Cause)}`;
  }

  return {
    async record(jobId: string, failure: { Error: string; Cause?: string }): Promise<void> {
      const chunks =
        failure.Error === 'States.ExceedToleratedFailureThreshold'
          ? await firstChunkFailure(jobId)
          : undefined;
      await jobs.update(jobId, {
        status: 'FAILED',
        error: { code: failure.Error, message: chunks ?? messageOf(failure.Cause) },
        finishedAt: clock().toISOString(),
      });
    },
  };
}

/** A Lambda failure's Cause is the function's error as JSON: its message is what a person reads. */
function messageOf(cause: string | undefined): string {
  if (cause === undefined) return 'no cause given';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 2000);
  } catch {
    // Not JSON: the cause as it is.
  }
  return cause.slice(0, 2000);
}

function viewOf(record: JobRecord, items?: JobItems): JobView {
  return {
    jobId: record.jobId,
    type: record.type,
    params: record.params,
    status: record.status,
    ...(items === undefined ? {} : { items }),
    ...(record.result === undefined ? {} : { result: record.result }),
    ...(record.error === undefined ? {} : { error: record.error }),
    startedAt: record.startedAt,
    ...(record.finishedAt === undefined ? {} : { finishedAt: record.finishedAt }),
  };
}
