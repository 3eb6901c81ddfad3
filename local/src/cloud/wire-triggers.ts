import { findFreePort } from '../emulators/emulator';
import type { AsyncInvoker } from '../lambda/async-invoker';
import type { FailureDestination, LambdaInvoker } from '../lambda/invoker';
import { activeResources, type Stack, tryResolve } from '../templates/stack';
import { createEventBus, startEventBusServer } from '../triggers/eventbridge/event-bus';
import { type EventRule, rulesFromTemplate } from '../triggers/eventbridge/rules';
import { createScheduler, type Scheduler } from '../triggers/eventbridge/scheduler';
import { createTargetDelivery, systemTimer, targetWarnings } from '../triggers/eventbridge/target-delivery';
import type { LocalClients } from './clients';
import { LOCAL_REGION } from './endpoints';

export interface EventBridgeWiring {
  endpoint: string;
  rules: EventRule[];
  /** Starts the schedules; called once the functions can be invoked. */
  start(invoker: AsyncInvoker, destinations: FailureDestination): void;
  /** Fires a scheduled rule now (npm run trigger). */
  fireNow(ruleName: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** The rules of every template, resolved, with the physical names of rules that set none. */
function collectRules(stacks: Map<string, Stack>): EventRule[] {
  const rules: EventRule[] = [];
  for (const stack of stacks.values()) {
    const resources = Object.fromEntries(
      activeResources(stack)
        .filter(([, resource]) => resource.Type === 'AWS::Events::Rule')
        .map(([logicalId, resource]) => [
          logicalId,
          {
            Type: resource.Type,
            Properties: tryResolve(stack, resource.Properties) as Record<string, unknown>,
          },
        ]),
    );
    rules.push(
      ...rulesFromTemplate(resources, {
        region: LOCAL_REGION,
        accountId: stack.context.accountId,
        nameOf: (logicalId) => stack.context.refs.get(logicalId),
      }),
    );
  }
  return rules;
}

/**
 * EventBridge: a local bus that accepts PutEvents (its endpoint goes into every function's
 * AWS_ENDPOINT_URL_EVENTBRIDGE) and the scheduled rules. Targets are Lambda functions, invoked
 * asynchronously as EventBridge does, so Lambda's own retries and destinations apply.
 */
export async function startEventBridge(
  stacks: Map<string, Stack>,
  warnings: string[],
): Promise<EventBridgeWiring> {
  const rules = collectRules(stacks);
  warnings.push(...targetWarnings(rules));
  let asyncTargets: LambdaInvoker | undefined;
  let deadLetters: FailureDestination | undefined;
  const invoker: LambdaInvoker = {
    async invoke(functionName, payload) {
      if (asyncTargets === undefined) throw new Error('EventBridge targets are not ready yet');
      return asyncTargets.invoke(functionName, payload);
    },
  };
  const failureDestination: FailureDestination = {
    send: (arn, message) =>
      deadLetters ? deadLetters.send(arn, message) : Promise.reject(new Error('not ready')),
  };
  const delivery = createTargetDelivery({ invoker, failureDestination, setTimer: systemTimer });
  const bus = createEventBus({ rules, onEvent: (rule, event) => delivery.deliverToRule(rule, event) });
  const server = await startEventBusServer({ bus, port: await findFreePort(4010) });
  let scheduler: Scheduler | undefined;
  return {
    endpoint: server.url,
    rules,
    start(asyncInvoker, destinations) {
      // Handing the event to Lambda's asynchronous queue is what EventBridge's delivery does.
      asyncTargets = {
        async invoke(functionName, payload) {
          asyncInvoker.invokeAsync(functionName, payload);
          return { payload: undefined };
        },
      };
      deadLetters = destinations;
      scheduler = createScheduler({
        rules,
        invoker,
        failureDestination,
        clock: () => new Date(),
        setTimer: systemTimer,
      });
      scheduler.start();
    },
    async fireNow(ruleName) {
      if (scheduler === undefined) throw new Error('the schedules have not started');
      return scheduler.fireNow(ruleName);
    },
    async stop() {
      scheduler?.stop();
      await scheduler?.idle();
      await bus.idle();
      await server.close();
    },
  };
}

export interface StreamWiringOptions {
  stacks: Map<string, Stack>;
  clients: LocalClients;
  invoker: LambdaInvoker;
  destinations: FailureDestination;
  log: (line: string) => void;
  warnings: string[];
}

/** Event source mappings (Kinesis, DynamoDB Streams, SQS) with AWS semantics. */
export async function startEventSourceMappings(
  options: StreamWiringOptions,
): Promise<{ stop(): Promise<void> }> {
  for (const stack of options.stacks.values()) {
    for (const [logicalId, resource] of activeResources(stack)) {
      if (resource.Type === 'AWS::Lambda::EventSourceMapping') {
        options.warnings.push(`${stack.service}: ${logicalId} (${resource.Type}) is not wired yet`);
      }
    }
  }
  return { stop: async () => undefined };
}
