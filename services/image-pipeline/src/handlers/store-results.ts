import { instrumented, logger, MetricUnit, metrics } from '@serverless-patterns/shared/observability';
import { resultsRecorder } from '../composition';
import { analysedStateSchema } from '../core/workflow';

const recorder = resultsRecorder();

/** State machine step StoreResults: labels and thumbnails on the record, status READY. */
export const handler = instrumented(
  async (event: unknown) => {
    const state = analysedStateSchema.parse(event);
    const outcome = await recorder.storeResults(state);
    logger.info('image ready', { imageId: state.imageId, outcome });
    if (outcome === 'updated') metrics.addMetric('ImagesReady', MetricUnit.Count, 1);
    return { outcome };
  },
  { correlationIdPath: 'imageId' },
);
