import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventBridge } from '@serverless-patterns/shared/clients/eventbridge';
import { DEVICE_EVENT_SOURCE, type DeviceEvent } from '@serverless-patterns/shared/schemas/events';

/** PutEvents takes at most 10 entries per call. */
const MAX_ENTRIES = 10;

/**
 * The default EventBridge bus, where api says what happened to its devices (source
 * serverless-patterns.api). Returns the indexes of the events EventBridge refused (FailedEntryCount).
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
export function createDeviceEventBus({
  client = eventBridge,
}: {
  client?: Pick<EventBridgeClient, 'send'>;
} = {}) {
  return {
    async publish(events: readonly DeviceEvent[]): Promise<number[]> {
      const refused: number[] = [];
      for (let start = 0; start < events.length; start += MAX_ENTRIES) {
        const chunk = events.slice(start, start + MAX_ENTRIES);
        const { Entries = [] } = await client.send(
          new PutEventsCommand({
            Entries: chunk.map((event) => ({
              Source: DEVICE_EVENT_SOURCE,
              DetailType: event.type,
              Detail: JSON.stringify(event.detail),
              EventBusName: 'default',
            })),
          }),
        );
        chunk.forEach((_, index) => {
          if (Entries[index]?.EventId === undefined) refused.push(start + index);
        });
      }
      return refused;
    },
  };
}
