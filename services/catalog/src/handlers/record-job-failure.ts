import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { jobFailureInputSchema } from '@serverless-patterns/shared/schemas/events';
import { jobFailureRecorder } from '../composition';

const recorder = jobFailureRecorder();

/** Catch target: the job's record says FAILED with Step Functions' error (the execution then fails). */
export const handler = instrumented(
  async (event: unknown) => {
    const { job, failure } = jobFailureInputSchema.parse(event);
    await recorder.record(job.jobId, failure);
    logger.warn('job failed', { jobId: job.jobId, error: failure.Error });
    return { recorded: true };
  },
  { correlationIdPath: 'job.jobId' },
);
