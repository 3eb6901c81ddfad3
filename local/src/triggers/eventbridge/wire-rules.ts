import { LOCAL_REGION } from '../../cloud/endpoints';
import { resourcesOfKind } from '../../cloud/resource-kinds';
import type { RunningEventBridge } from '../../emulators/eventbridge';
import type { AsyncInvoker } from '../../lambda/async-invoker';
import type { FailureDestination, LambdaInvoker } from '../../lambda/invoker';
import { type Stack, tryResolve } from '../../templates/stack';
import { createEventBus } from './event-bus';
import { type EventRule, rulesFromTemplate } from './rules';
import { createScheduler, type Scheduler } from './scheduler';
import { createTargetDelivery, systemTimer, targetWarnings } from './target-delivery';

export interface EventBridgeRules {
  rules: EventRule[];
  /** Starts the schedules and the deliveries to targets; called once the functions can be invoked. */
  start(invoker: AsyncInvoker, destinations: FailureDestination): void;
  /** Fires a scheduled rule now (npm run trigger). */
  fireNow(ruleName: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** The rules of every template, resolved, with the physical names of rules that set none. */
function collectRules(stacks: ReadonlyMap<string, Stack>): EventRule[] {
  const rules: EventRule[] = [];
  for (const stack of stacks.values()) {
    const resources = Object.fromEntries(
      resourcesOfKind(stack, 'AWS::Events::Rule').map(([logicalId, resource]) => [
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
 * The templates' EventBridge rules on the local bus: PutEvents (AWS_ENDPOINT_URL_EVENTBRIDGE) hands
 * each event to the rules whose pattern matches, and the schedules fire. Targets are Lambda
 * functions, invoked asynchronously as EventBridge does, so Lambda's own retries and destinations apply.
 */
export function routeEventBridge(
  eventBridge: RunningEventBridge,
  stacks: ReadonlyMap<string, Stack>,
  warnings: string[],
): EventBridgeRules {
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
  eventBridge.route(bus);
  let scheduler: Scheduler | undefined;
  return {
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
    },
  };
}
