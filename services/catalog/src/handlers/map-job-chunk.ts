import { instrumented } from '@serverless-patterns/shared/observability';
import { jobBatchSchema } from '@serverless-patterns/shared/schemas/events';
import { jobSteps } from '../composition';

const steps = jobSteps();

/** A child of the distributed Map (a mapper): its batch of chunks to partial results in the lake. */
export const handler = instrumented(
  async (event: unknown) => {
    const { BatchInput, Items } = jobBatchSchema.parse(event);
    return steps.map(BatchInput.job, Items);
  },
  { correlationIdPath: 'BatchInput.job.jobId' },
);
