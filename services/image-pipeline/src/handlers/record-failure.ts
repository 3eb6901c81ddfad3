import { instrumented, logger, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import { failureRecorder } from '../composition';
import { failedStateSchema, failureCodeOf } from '../core/workflow';

const recorder = failureRecorder();

/**
 * The Catch target of every step: status FAILED with a code, thumbnails deleted. The error and its
 * cause (which may name a role ARN and the account) are logged here, and only here.
 */
export const handler = instrumented(
  async (event: unknown) => {
    const state = failedStateSchema.parse(event);
    logger.error('image processing failed', {
      imageId: state.imageId,
      code: failureCodeOf(state.failure),
      failure: state.failure,
    });
    const outcome = await recorder.recordFailure(state);
    metrics.addMetric('ImagesFailed', MetricUnit.Count, 1);
    return { outcome };
  },
  { correlationIdPath: 'imageId' },
);
