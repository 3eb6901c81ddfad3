/**
 * Lambda invokes an event source mapping's function when the batch is full, its batching window ends
 * "or the batch reaches the payload limit of 6 MB": a batch never exceeds what one synchronous
 * invocation may carry, whatever its BatchSize.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventsourcemapping.html#invocation-eventsourcemapping-batching
 */
import { MAX_PAYLOAD_BYTES } from '../../lambda/invoker';
import { MAX_WINDOW_STATE_BYTES } from './tumbling-windows';

/** The event's own fields around its records (window, shard, ARNs), generously. */
const EVENT_ENVELOPE_BYTES = 16 * 1024;

/** What a batch's records may weigh: the limit less the envelope and, with a tumbling window, the state (up to 1 MB). */
export function maxBatchBytes({ windowState }: { windowState: boolean }): number {
  return MAX_PAYLOAD_BYTES - EVENT_ENVELOPE_BYTES - (windowState ? MAX_WINDOW_STATE_BYTES : 0);
}

/** A record's weight in the event: its JSON in bytes, and the comma after it. */
export function eventBytes(eventRecord: unknown): number {
  return Buffer.byteLength(JSON.stringify(eventRecord)) + 1;
}
