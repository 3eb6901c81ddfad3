import { createEventBus, type EventBus, startEventBusServer } from '../../triggers/eventbridge/event-bus';
import { endpointFor, once, type RunningEmulator } from '../emulator';
import { defineEmulator } from '../emulator-definition';

export interface RunningEventBridge extends RunningEmulator {
  /** PutEvents hands its events to `bus` (the templates' rules) from now on; until then to no rule. */
  route(bus: EventBus): void;
}

/**
 * EventBridge's PutEvents, in-process (AWS JSON 1.1). The rules and schedules come from the templates
 * once they are provisioned (triggers/eventbridge, wired by the functions and triggers phases).
 */
export const eventBridge = defineEmulator({
  name: 'eventbridge',
  endpointVariables: { eventbridge: 'EVENTBRIDGE' },
  preferredPort: 4010,
  async start({ port }): Promise<RunningEventBridge> {
    let routed: EventBus = createEventBus({ rules: [] });
    const bus: EventBus = {
      putEvents: (entries, options) => routed.putEvents(entries, options),
      matchingRules: (event, eventBusName) => routed.matchingRules(event, eventBusName),
      idle: () => routed.idle(),
      get warnings() {
        return routed.warnings;
      },
    };
    const server = await startEventBusServer({ bus, port });
    return {
      name: 'eventbridge',
      endpoint: endpointFor(server.port),
      route(next) {
        routed = next;
      },
      stop: once(async () => {
        await routed.idle();
        await server.close();
      }),
    };
  },
});
