import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { AwsJsonError, awsJsonListener } from '../../emulators/aws-json';
import { closeHttpServer, endpointFor, listenOnLoopback } from '../../emulators/emulator';
import { EventBridgeEmulationError, InvalidEventPatternError } from './errors';
import { matchesEventPattern, validateEventPattern } from './event-pattern';
import type { EventRule } from './rules';
import { isoSeconds } from './scheduler';
import type { Log } from './target-delivery';
import { targetWarnings } from './target-delivery';

/** A PutEvents entry as the SDK sends it (AWS JSON 1.1; Time in epoch seconds). */
export interface PutEventsRequestEntry {
  Source?: unknown;
  DetailType?: unknown;
  Detail?: unknown;
  Resources?: unknown;
  EventBusName?: unknown;
  Time?: unknown;
  TraceHeader?: unknown;
}

export type PutEventsResultEntry = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: PutEventsResultEntry[];
}

/** An event as EventBridge delivers it to rules' targets. */
export interface BusEvent {
  version: '0';
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
}

export interface EventBusOptions {
  rules: readonly EventRule[];
  /** Called for each rule whose pattern matches an accepted event (typically TargetDelivery.deliverToRule). */
  onEvent?: (rule: EventRule, event: BusEvent) => unknown;
  region?: string;
  accountId?: string;
  clock?: () => Date;
  log?: Log;
}

export interface PutEventsOptions {
  fromAwsService?: boolean;
  /** The account the events come from (an AWS service's event from a member account); default the bus's. */
  account?: string;
  /** The region the events come from (an AWS service's event in another region); default the bus's. */
  region?: string;
}

export interface EventBus {
  /**
   * PutEvents. `fromAwsService` lets the local cloud's own emulators publish `aws.*` sources,
   * which AWS refuses from callers.
   */
  putEvents(entries: unknown, options?: PutEventsOptions): PutEventsResult;
  /** The enabled rules of the event's bus whose pattern matches it. */
  matchingRules(event: BusEvent, eventBusName?: string): EventRule[];
  /** Resolves once every onEvent call started so far has settled. */
  idle(): Promise<void>;
  readonly warnings: readonly string[];
}

/** A PutEvents request that AWS refuses as a whole (HTTP 400), rather than entry by entry. */
export class EventBusRequestError extends EventBridgeEmulationError {
  override readonly name: string = 'EventBusRequestError';

  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_ENTRIES = 10;
/** https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html */
const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * The event bus, in process: validates PutEvents entries as AWS does (per-entry ErrorCode and
 * FailedEntryCount), builds each event and hands it to every enabled rule of its bus whose
 * EventPattern matches. Throws InvalidEventPatternError, naming the rule, for a pattern AWS refuses.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html
 */
export function createEventBus(options: EventBusOptions): EventBus {
  const {
    region = 'us-east-1',
    accountId = '000000000000',
    clock = () => new Date(),
    log = () => undefined,
  } = options;
  const patternRules = options.rules.filter((rule) => rule.eventPattern !== undefined);
  for (const rule of patternRules) {
    try {
      validateEventPattern(rule.eventPattern);
    } catch (error) {
      if (!(error instanceof InvalidEventPatternError)) throw error;
      throw new InvalidEventPatternError(`rule ${rule.name}: ${error.message}`, { cause: error });
    }
  }
  const warnings = targetWarnings(patternRules);
  for (const warning of warnings) log(warning);
  const inFlight = new Set<Promise<unknown>>();

  function matchingRules(event: BusEvent, eventBusName = 'default'): EventRule[] {
    return patternRules.filter(
      (rule) =>
        rule.state === 'ENABLED' &&
        rule.eventBusName === eventBusName &&
        matchesEventPattern(rule.eventPattern, event),
    );
  }

  function dispatch(event: BusEvent, eventBusName: string) {
    for (const rule of matchingRules(event, eventBusName)) {
      const delivery = Promise.resolve()
        .then(() => options.onEvent?.(rule, event))
        .catch((error: unknown) => log('event delivery crashed', { rule: rule.name, error: String(error) }));
      inFlight.add(delivery);
      void delivery.finally(() => inFlight.delete(delivery));
    }
  }

  return {
    warnings,
    matchingRules,
    putEvents(entries, putOptions = {}) {
      if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
        const count = Array.isArray(entries) ? entries.length : 0;
        throw new EventBusRequestError(
          'ValidationException',
          `1 validation error detected: Value at 'entries' failed to satisfy constraint: ` +
            `Member must have length between 1 and ${MAX_ENTRIES} (got ${count})`,
        );
      }
      if (
        entries.reduce((total: number, entry: unknown) => total + entrySize(entry), 0) > MAX_REQUEST_BYTES
      ) {
        throw new EventBusRequestError(
          'ValidationException',
          'Total size of the entries in the request is over the limit.',
        );
      }
      const now = clock();
      const results = entries.map((entry: unknown): PutEventsResultEntry => {
        const checked = checkEntry(entry, putOptions.fromAwsService === true);
        if ('ErrorCode' in checked) return checked;
        const event: BusEvent = {
          version: '0',
          id: randomUUID(),
          'detail-type': checked.detailType,
          source: checked.source,
          account: putOptions.account ?? accountId,
          time: isoSeconds(checked.time ?? now),
          region: putOptions.region ?? region,
          resources: checked.resources,
          detail: checked.detail,
        };
        dispatch(event, checked.eventBusName);
        return { EventId: event.id };
      });
      return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
    },
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}

interface CheckedEntry {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  resources: string[];
  eventBusName: string;
  time?: Date;
}

function checkEntry(
  entry: unknown,
  fromAwsService: boolean,
): CheckedEntry | { ErrorCode: string; ErrorMessage: string } {
  const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as PutEventsRequestEntry;
  const missing = (['Source', 'DetailType', 'Detail'] as const).find(
    (name) => typeof fields[name] !== 'string' || fields[name] === '',
  );
  if (missing !== undefined) {
    return invalidArgument(`Parameter ${missing} is not valid. Reason: ${missing} is a required argument.`);
  }
  const source = fields.Source as string;
  const detailType = fields.DetailType as string;
  if (detailType.length > 128) {
    return invalidArgument(
      'Parameter DetailType is not valid. Reason: DetailType is at most 128 characters.',
    );
  }
  if (source.startsWith('aws.') && !fromAwsService) {
    return { ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' };
  }
  const detail = parseObject(fields.Detail as string);
  if (detail === undefined) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
  const resources = fields.Resources ?? [];
  if (!Array.isArray(resources) || !resources.every((resource) => typeof resource === 'string')) {
    return invalidArgument('Parameter Resources is not valid. Reason: Resources must be a list of strings.');
  }
  const time = entryTime(fields.Time);
  if (time === null) return invalidArgument('Parameter Time is not valid. Reason: Time must be a timestamp.');
  const bus =
    typeof fields.EventBusName === 'string' && fields.EventBusName !== '' ? fields.EventBusName : 'default';
  return {
    source,
    detailType,
    detail,
    resources,
    // An EventBusName may be given as the bus ARN.
    eventBusName: bus.startsWith('arn:') ? (bus.split('/').pop() ?? bus) : bus,
    ...(time === undefined ? {} : { time }),
  };
}

function invalidArgument(message: string) {
  return { ErrorCode: 'InvalidArgument', ErrorMessage: message };
}

/** The SDK sends Time as epoch seconds; the CLI may send ISO text. */
function entryTime(value: unknown): Date | undefined | null {
  if (value === undefined || value === null) return undefined;
  const date =
    typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : null;
  return date === null || Number.isNaN(date.getTime()) ? null : date;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Counted as AWS documents it: 14 bytes for Time, then the UTF-8 bytes of each text field. */
function entrySize(entry: unknown): number {
  const fields = (typeof entry === 'object' && entry !== null ? entry : {}) as PutEventsRequestEntry;
  const bytes = (value: unknown) => (typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0);
  const resources = Array.isArray(fields.Resources) ? fields.Resources : [];
  return (
    (fields.Time === undefined ? 0 : 14) +
    bytes(fields.Source) +
    bytes(fields.DetailType) +
    bytes(fields.Detail) +
    resources.reduce((total: number, resource: unknown) => total + bytes(resource), 0)
  );
}

/** The X-Amz-Target operation (prefix AWSEvents) of the local-only PutEvents for AWS services' events. */
export const LOCAL_AWS_SERVICE_EVENTS_OPERATION = 'LocalPutAwsServiceEvents';

export interface EventBusServerOptions {
  bus: EventBus;
  port: number;
}

export interface EventBusServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Serves the EventBridge wire protocol (AWS JSON 1.1, `X-Amz-Target: AWSEvents.PutEvents`), so that
 * an unchanged EventBridgeClient reaches the bus through AWS_ENDPOINT_URL_EVENTBRIDGE. Port 0 picks a
 * free port. https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
 */
export async function startEventBusServer(options: EventBusServerOptions): Promise<EventBusServer> {
  const server = createServer(
    awsJsonListener({
      serviceName: 'EventBridge',
      version: '1.1',
      targetPrefix: 'AWSEvents',
      operations: {
        PutEvents: (input) => options.bus.putEvents(input.Entries),
        // Local only, no AWS operation: how the local cloud's own emulators (the CloudTrail proxy) put the
        // events an AWS service emits, whose `aws.*` sources PutEvents refuses, with the caller's account.
        [LOCAL_AWS_SERVICE_EVENTS_OPERATION]: (input) =>
          options.bus.putEvents(input.Entries, {
            fromAwsService: true,
            ...(typeof input.Account === 'string' ? { account: input.Account } : {}),
            ...(typeof input.Region === 'string' ? { region: input.Region } : {}),
          }),
      },
      internalErrorType: 'InternalException',
      serviceErrorOf: (error) =>
        error instanceof EventBusRequestError ? new AwsJsonError(error.type, error.message) : undefined,
    }),
  );
  const port = await listenOnLoopback(server, options.port, 'eventbridge');
  return {
    url: endpointFor(port),
    port,
    close: () => closeHttpServer(server),
  };
}
