import { correlationPaths, instrumented, logger } from '@serverless-patterns/shared/observability';
import { parseDeviceEvent } from '@serverless-patterns/shared/schemas/events';
import type { EventBridgeEvent } from 'aws-lambda';
import { thresholdCopy } from '../composition';

const copy = thresholdCopy();

// api's DeviceRegistered, ThresholdChanged and DeviceDeleted (rule in serverless.yml). A malformed event
// throws: EventBridge retries it, then it waits in the failure queue instead of being dropped.
export const handler = instrumented(
  async (event: EventBridgeEvent<string, unknown>) => {
    const deviceEvent = parseDeviceEvent(event['detail-type'], event.detail);
    const outcome = await copy.apply(deviceEvent);
    logger.info('device event applied', {
      type: deviceEvent.type,
      deviceId: deviceEvent.detail.deviceId,
      outcome,
    });
  },
  { correlationIdPath: correlationPaths.eventBridge },
);
