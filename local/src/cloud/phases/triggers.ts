import { firehose } from '../../emulators/firehose';
import { deliveryStreamsFrom, s3ObjectStore } from '../../emulators/firehose/template-streams';
import { s3 } from '../../emulators/s3';
import type { Stack } from '../../templates/stack';
import { startEventSourceMappings } from '../../triggers/event-source-mapping/start-mappings';
import { wireS3Notifications } from '../../triggers/s3-notifications';
import { startSnsLambdaSubscriptions } from '../../triggers/sns-subscriptions';
import type { LocalClients } from '../clients';
import { startControlServer } from '../control-server';
import { LOCAL_REGION } from '../endpoints';
import type { RunningEmulators } from './emulators';
import type { CloudFunctions } from './functions';
import type { CloudSettings, Teardown } from './settings';

/** The local cloud's own controls (npm run trigger) listen here when the port is free. */
const CONTROL_PORT = 4011;

/**
 * Phase 5, triggers: the templates' triggers, delivered to the running functions with AWS's
 * semantics: S3 notifications, EventBridge schedules and rules, Firehose delivery streams (their
 * transformation functions), event source mappings (Kinesis, DynamoDB Streams, SQS) and SNS
 * subscriptions of functions; and the control server that fires a schedule now. Returns the control
 * server's URL.
 */
export async function wireTriggers(
  settings: CloudSettings,
  inputs: {
    stacks: Map<string, Stack>;
    emulators: RunningEmulators;
    clients: LocalClients;
    functions: CloudFunctions;
    warnings: string[];
  },
  teardown: Teardown,
): Promise<{ controlUrl: string }> {
  const { stacks, emulators, clients, functions, warnings } = inputs;
  const { asyncInvoker, destinations, eventRules } = functions;
  const bucketEvents = emulators.get(s3);
  if (bucketEvents !== undefined) {
    const unsubscribe = wireS3Notifications({
      stacks,
      s3: bucketEvents,
      asyncInvoker,
      region: LOCAL_REGION,
      warnings,
    });
    teardown.add(async () => unsubscribe());
  }
  eventRules?.start(asyncInvoker, destinations);
  const deliveryStreams = emulators.get(firehose);
  if (deliveryStreams !== undefined) {
    const { streams, warnings: streamWarnings } = deliveryStreamsFrom(stacks.values());
    warnings.push(...streamWarnings);
    await deliveryStreams.load({
      deliveryStreams: streams,
      invoker: functions.invoker,
      objects: s3ObjectStore(clients.s3),
      publishMetrics: functions.publishMetrics,
    });
    // Before the functions and S3 stop: what is under way settles, and what waits stays journaled.
    teardown.add(deliveryStreams.unload);
  }
  const mappings = await startEventSourceMappings({
    stacks,
    queueUrlOf: functions.queueUrlOf,
    clients,
    invoker: functions.invoker,
    destinations,
    log: settings.log,
    warnings,
  });
  teardown.add(mappings.stop);
  const unsubscribe = functions.onInvocationReturned(() => mappings.wakeTableStreams());
  teardown.add(async () => unsubscribe());
  const subscriptions = await startSnsLambdaSubscriptions({
    stacks,
    clients,
    asyncInvoker,
    log: settings.log,
  });
  teardown.add(subscriptions.stop);
  const control = await startControlServer(settings.preferredPort(CONTROL_PORT), {
    fireSchedule: async (service, functionKey) => {
      const fn = functions.functions.find(
        (candidate) => candidate.service === service && candidate.key === functionKey,
      );
      if (fn === undefined) throw new Error(`no function ${functionKey} in service ${service}`);
      const rules = (eventRules?.rules ?? []).filter(
        (rule) =>
          rule.scheduleExpression !== undefined &&
          rule.targets.some((target) => target.arn.endsWith(`:function:${fn.name}`)),
      );
      if (rules.length === 0 || eventRules === undefined)
        throw new Error(`${service} ${functionKey} has no schedule`);
      return Promise.all(rules.map((rule) => eventRules.fireNow(rule.name)));
    },
  });
  teardown.add(control.stop);
  return { controlUrl: control.url };
}
