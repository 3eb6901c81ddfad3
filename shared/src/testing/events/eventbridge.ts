import type { EventBridgeEvent, ScheduledEvent } from 'aws-lambda';

export interface EventBridgeEventOptions<TDetailType extends string, TDetail> {
  detailType?: TDetailType;
  source?: string;
  detail?: TDetail;
  id?: string;
  time?: Date;
  resources?: string[];
  account?: string;
  region?: string;
}

// cloudwatch-scheduled-event.json, the only EventBridge sample; an event's fields:
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-events-structure.html
// Like the sample, the event has no `version` ("0" in AWS), which @types/aws-lambda declares.
export function eventBridgeEvent<TDetail = Record<string, never>, TDetailType extends string = string>(
  options: EventBridgeEventOptions<TDetailType, TDetail> = {},
): EventBridgeEvent<TDetailType, TDetail> {
  const {
    detailType = 'Scheduled Event',
    source = 'aws.events',
    detail = {},
    id = 'cdc73f9d-aea9-11e3-9d5a-835b769c0d9c',
    time = new Date(0),
    resources = ['arn:aws:events:us-east-1:123456789012:rule/ExampleRule'],
    account = '123456789012',
    region = 'us-east-1',
  } = options;
  return {
    id,
    'detail-type': detailType,
    source,
    account,
    // EventBridge writes times to the second.
    time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region,
    resources,
    detail,
  } as EventBridgeEvent<TDetailType, TDetail>;
}

export type ScheduledEventOptions = Omit<
  EventBridgeEventOptions<'Scheduled Event', never>,
  'detailType' | 'source' | 'detail'
>;

/** What a scheduled rule sends: no detail, the rule as the resource. */
export function scheduledEvent(options: ScheduledEventOptions = {}): ScheduledEvent<Record<string, never>> {
  return eventBridgeEvent({ ...options, detailType: 'Scheduled Event', source: 'aws.events', detail: {} });
}
