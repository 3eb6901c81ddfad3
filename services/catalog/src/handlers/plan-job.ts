import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { jobSpecSchema } from '@serverless-patterns/shared/schemas/events';
import { jobSteps } from '../composition';

const steps = jobSteps();

/** State Plan (the splitter): the job's chunks as JSON lines in the lake, for the distributed Map. */
export const handler = instrumented(
  async (event: unknown) => {
    const job = jobSpecSchema.parse(event);
    const plan = await steps.plan(job);
    logger.info('job planned', { jobId: job.jobId, type: job.type, chunks: plan.total });
    return plan;
  },
  { correlationIdPath: 'jobId' },
);
