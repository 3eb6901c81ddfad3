import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { correlationPaths, instrumented, logger } from '@serverless-patterns/shared/observability';
import type { DeviceEvent } from '@serverless-patterns/shared/schemas/events';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { createDeviceEventBus } from '../adapters/device-event-bus';
import { deviceEventOf } from '../core/device-events';

const bus = createDeviceEventBus();

const image = (value: unknown) =>
  value === undefined ? undefined : unmarshall(value as Record<string, AttributeValue>);

// The api table's stream as an outbox: each device change becomes DeviceRegistered, ThresholdChanged or
// DeviceDeleted on the default bus. An event EventBridge refused fails its record alone (and the ones
// after it, so that a device's events keep their order): the stream delivers them again.
export const handler = instrumented(
  async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const pending: { sequenceNumber: string; event: DeviceEvent }[] = [];
    for (const record of event.Records) {
      const deviceEvent = deviceEventOf({
        eventName: record.eventName ?? 'MODIFY',
        newImage: image(record.dynamodb?.NewImage),
        oldImage: image(record.dynamodb?.OldImage),
        approximateCreationTime: (record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000,
      });
      if (deviceEvent !== undefined) {
        pending.push({ sequenceNumber: record.dynamodb?.SequenceNumber ?? '', event: deviceEvent });
      }
    }
    const refused = await bus.publish(pending.map(({ event: deviceEvent }) => deviceEvent));
    if (refused.length === 0) return { batchItemFailures: [] };
    const first = Math.min(...refused);
    logger.warn('device events refused by EventBridge; the stream sends them again', {
      refused: refused.length,
    });
    return { batchItemFailures: [{ itemIdentifier: pending[first]?.sequenceNumber ?? '' }] };
  },
  { correlationIdPath: correlationPaths.batchRecord },
);
