import { instrumented, logger } from '@serverless-patterns/shared/observability';
import { jobReduceInputSchema } from '@serverless-patterns/shared/schemas/events';
import { jobSteps } from '../composition';

const steps = jobSteps();

/** State Reduce: the partials of the chunks that succeeded into the dataset; the job SUCCEEDED. */
export const handler = instrumented(
  async (event: unknown) => {
    const { job, plan, map } = jobReduceInputSchema.parse(event);
    const result = await steps.reduce(job, plan, map.ResultWriterDetails.Key);
    logger.info('job reduced', { jobId: job.jobId, ...result });
    return result;
  },
  { correlationIdPath: 'job.jobId' },
);
