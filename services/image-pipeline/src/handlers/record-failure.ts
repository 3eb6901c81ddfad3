import { instrumented, logger, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import { failureRecorder } from '../composition';
import { failedStateSchema } from '../core/workflow';

const recorder = failureRecorder();

/** The Catch target of every step: status FAILED with the error and its cause, thumbnails deleted. */
export const handler = instrumented(
  async (event: unknown) => {
    const state = failedStateSchema.parse(event);
    logger.error('image processing failed', { imageId: state.imageId, failure: state.failure });
    const outcome = await recorder.recordFailure(state);
    metrics.addMetric('ImagesFailed', MetricUnit.Count, 1);
    return { outcome };
  },
  { correlationIdPath: 'imageId' },
);
