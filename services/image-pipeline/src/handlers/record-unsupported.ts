import { instrumented, logger, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import { unsupportedRecorder } from '../composition';
import { extractedStateSchema } from '../core/workflow';

const recorder = unsupportedRecorder();

/** State machine step RecordUnsupported: status UNSUPPORTED with the reason, and the workflow ends. */
export const handler = instrumented(
  async (event: unknown) => {
    const state = extractedStateSchema.parse(event);
    const outcome = await recorder.recordUnsupported(state);
    logger.info('image unsupported', { imageId: state.imageId, extraction: state.extraction, outcome });
    metrics.addMetric('ImagesUnsupported', MetricUnit.Count, 1);
    return { outcome };
  },
  { correlationIdPath: 'imageId' },
);
