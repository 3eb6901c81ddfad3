/**
 * The event source mapping poller of an SQS queue: batch size and window, filter criteria, partial batch
 * responses. Failed messages are left on the queue: they come back after the visibility timeout and end in
 * the queue's own dead-letter queue through its redrive policy (SQS mappings have no on-failure destination).
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html
 */
import type { InvokeResult, LambdaInvoker } from '../../lambda/invoker';
import { readBatchResponse } from './batch-item-failures';
import { eventBytes, maxBatchBytes } from './payload-limit';
import { createPoller } from './poller';
import {
  type Clock,
  consoleLogger,
  type EngineLogger,
  errorDetails,
  realSleep,
  type Sleep,
  systemClock,
} from './scheduling';
import type { EventSourceMappingSettings } from './settings';

/** A message as ReceiveMessage returns it (with all attributes). */
export interface QueueMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  attributes: Record<string, string>;
  messageAttributes: Record<string, unknown>;
  md5OfBody: string;
  md5OfMessageAttributes?: string;
}

export interface QueueReader {
  /** At most `maxMessages` (1 to 10), long polling up to `waitSeconds` (0 to 20). */
  receive(maxMessages: number, waitSeconds: number): Promise<QueueMessage[]>;
  delete(receiptHandles: readonly string[]): Promise<void>;
  changeVisibility(receiptHandles: readonly string[], visibilityTimeoutSeconds: number): Promise<void>;
}

export interface QueueEventExtras {
  eventSourceArn: string;
  awsRegion: string;
}

export type QueueEventBuilder = (messages: readonly QueueMessage[], extras: QueueEventExtras) => unknown;

/** The SQS event: `{ Records }` with the fields of AWS's sample (sqs-receive-message.json). */
export const toSqsEvent: QueueEventBuilder = (messages, extras) => ({
  Records: messages.map((message) => ({
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: message.attributes,
    messageAttributes: message.messageAttributes,
    md5OfBody: message.md5OfBody,
    ...(message.md5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.md5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: extras.eventSourceArn,
    awsRegion: extras.awsRegion,
  })),
});

export interface QueueConsumerOptions {
  settings: EventSourceMappingSettings;
  /** Physical name, for the invoker. */
  functionName: string;
  eventSourceArn: string;
  reader: QueueReader;
  invoker: LambdaInvoker;
  /** Default: toSqsEvent. */
  toEvent?: QueueEventBuilder;
  /** The mapping's filter criteria; default: every message matches. */
  matches?: (message: QueueMessage) => boolean;
  /** The queue's VisibilityTimeout and the function's Timeout, to keep messages hidden during a batching window. */
  visibilityTimeoutSeconds?: number;
  functionTimeoutSeconds?: number;
  /** Long polling wait of each receive while no batching window runs (bounds how long stop() can take). */
  receiveWaitSeconds?: number;
  /** Pause after an empty poll. */
  pollIntervalMs?: number;
  clock?: Clock;
  sleep?: Sleep;
  logger?: EngineLogger;
}

export interface QueuePollResult {
  /** 1 when the function was invoked (or the invoker rejected), else 0. */
  invocations: number;
  received: number;
  deleted: number;
}

export interface QueueConsumer {
  /** Gathers one batch (within the batching window), invokes the function once, deletes what succeeded. */
  pollOnce(): Promise<QueuePollResult>;
  /** Polls until stop(); a disabled mapping does not poll. */
  start(): void;
  /** Resolves once the invocation under way has ended and its messages are deleted or left. */
  stop(): Promise<void>;
}

const MAX_RECEIVE = 10;
const MAX_WAIT_SECONDS = 20;

export function createQueueConsumer(options: QueueConsumerOptions): QueueConsumer {
  const { settings, reader, invoker, functionName, eventSourceArn } = options;
  if (settings.sourceKind !== 'sqs') throw new TypeError('createQueueConsumer reads SQS queues only');
  const toEvent = options.toEvent ?? toSqsEvent;
  const matches = options.matches ?? (() => true);
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const logger = options.logger ?? consoleLogger;
  const receiveWaitSeconds = options.receiveWaitSeconds ?? 5;
  const pollIntervalMs = options.pollIntervalMs ?? 1000;
  const batchSize = settings.batchSize;
  const batchingWindowSeconds = settings.maximumBatchingWindowInSeconds;
  const extras: QueueEventExtras = { eventSourceArn, awsRegion: eventSourceArn.split(':')[3] ?? '' };
  const maxBytes = maxBatchBytes({ windowState: false });
  /** Messages received past the payload limit of the last batch (in flight, as received): the next batch's first. */
  const carried: QueueMessage[] = [];
  const context = { eventSourceArn, functionName };
  const poller = createPoller({
    source: 'queue',
    enabled: settings.enabled,
    pollOnce: () => pollOnce(),
    verdict: (result) => (result.received === 0 ? 'idle' : 'busy'),
    pace: pollIntervalMs,
    sleep,
    clock,
    logger,
    context,
  });

  async function pollOnce(): Promise<QueuePollResult> {
    const result: QueuePollResult = { invocations: 0, received: 0, deleted: 0 };
    const batch = await gather(result);
    if (batch.length === 0) return result;
    result.invocations = 1;
    let response: InvokeResult;
    try {
      response = await invoker.invoke(functionName, toEvent(batch, extras));
    } catch (error) {
      logger.warn(
        'Could not invoke the function; the messages return to the queue after its visibility timeout',
        {
          ...context,
          ...errorDetails(error),
        },
      );
      return result;
    }
    const failed = failedMessageIds(response, batch);
    if (failed === 'all') return result;
    result.deleted = await deleteMessages(batch.filter((message) => !failed.has(message.messageId)));
    return result;
  }

  /**
   * Receives until BatchSize messages match, the batch reaches the payload limit, or the batching window
   * (started by the first one) ends. Messages received past the limit start the next batch, which goes at
   * once: their window is over.
   */
  async function gather(result: QueuePollResult): Promise<QueueMessage[]> {
    const batch: QueueMessage[] = [];
    let bytes = 0;
    let full = false;
    const take = (messages: readonly QueueMessage[]) => {
      for (const [index, message] of messages.entries()) {
        const size = eventBytes(toEvent([message], extras));
        if (batch.length >= batchSize || (batch.length > 0 && bytes + size > maxBytes)) {
          carried.push(...messages.slice(index));
          full = true;
          return;
        }
        batch.push(message);
        bytes += size;
      }
    };
    let deadline: number | undefined;
    if (carried.length > 0) {
      deadline = clock.now();
      take(carried.splice(0));
    }
    for (;;) {
      if (full) return batch;
      const remainingSeconds = deadline === undefined ? receiveWaitSeconds : (deadline - clock.now()) / 1000;
      const wait = Math.min(MAX_WAIT_SECONDS, Math.max(0, Math.ceil(remainingSeconds)));
      const messages = await reader.receive(Math.min(MAX_RECEIVE, batchSize - batch.length), wait);
      result.received += messages.length;
      const kept = messages.filter((message) => safelyMatches(message));
      // Messages that match no filter are deleted, never delivered.
      // https://docs.aws.amazon.com/lambda/latest/dg/with-sqs-filtering.html
      const dropped = messages.filter((message) => !kept.includes(message));
      result.deleted += await deleteMessages(dropped);
      if (kept.length > 0) {
        deadline ??= clock.now() + batchingWindowSeconds * 1000;
        await keepHiddenDuringWindow(kept);
        take(kept);
      }
      const now = clock.now();
      if (
        deadline === undefined ||
        full ||
        batch.length >= batchSize ||
        now >= deadline ||
        poller.signal?.aborted
      ) {
        return batch;
      }
      if (messages.length === 0) await sleep(Math.min(pollIntervalMs, deadline - now), poller.signal);
    }
  }

  function safelyMatches(message: QueueMessage): boolean {
    try {
      return matches(message);
    } catch (error) {
      logger.warn('Filter criteria could not be evaluated; dropping the message', {
        ...context,
        messageId: message.messageId,
        ...errorDetails(error),
      });
      return false;
    }
  }

  // "If (batch window) + (function timeout) > (queue visibility timeout), then your effective queue
  // visibility timeout is (batch window) + (function timeout) + 30s."
  // https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-eventsource
  async function keepHiddenDuringWindow(messages: readonly QueueMessage[]): Promise<void> {
    const { visibilityTimeoutSeconds, functionTimeoutSeconds } = options;
    if (
      batchingWindowSeconds === 0 ||
      visibilityTimeoutSeconds === undefined ||
      functionTimeoutSeconds === undefined
    ) {
      return;
    }
    if (batchingWindowSeconds + functionTimeoutSeconds <= visibilityTimeoutSeconds) return;
    const handles = messages.map((message) => message.receiptHandle);
    try {
      await reader.changeVisibility(handles, batchingWindowSeconds + functionTimeoutSeconds + 30);
    } catch (error) {
      logger.warn('Could not extend the visibility timeout of the messages', {
        ...context,
        ...errorDetails(error),
      });
    }
  }

  /** The ids to leave on the queue, or 'all' when the whole batch failed. */
  function failedMessageIds(
    response: InvokeResult,
    batch: readonly QueueMessage[],
  ): ReadonlySet<string> | 'all' {
    if (response.functionError !== undefined) {
      logger.warn('The function failed; the batch stays on the queue', {
        ...context,
        functionError: response.functionError,
        size: batch.length,
      });
      return 'all';
    }
    // Without ReportBatchItemFailures, Lambda ignores the response.
    if (!settings.reportBatchItemFailures) return new Set();
    const outcome = readBatchResponse(response.payload, new Set(batch.map((message) => message.messageId)));
    if (outcome.kind === 'success') return new Set();
    if (outcome.kind === 'invalid') {
      logger.warn('The batch response is invalid; the whole batch stays on the queue', {
        ...context,
        reason: outcome.reason,
      });
      return 'all';
    }
    return new Set(outcome.failedIds);
  }

  async function deleteMessages(messages: readonly QueueMessage[]): Promise<number> {
    if (messages.length === 0) return 0;
    try {
      await reader.delete(messages.map((message) => message.receiptHandle));
      return messages.length;
    } catch (error) {
      logger.error('Could not delete messages; they will be delivered again', {
        ...context,
        messageIds: messages.map((message) => message.messageId),
        ...errorDetails(error),
      });
      return 0;
    }
  }

  return { pollOnce, start: () => poller.start(), stop: () => poller.stop() };
}
