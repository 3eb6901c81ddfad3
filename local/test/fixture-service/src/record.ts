import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Appends every event it receives to <RECORDINGS_DIR>/<function>.jsonl, then behaves as the
 * records ask:
 * - a Kinesis or SQS record whose payload has `fail: true` is reported as a batch item failure;
 * - `throw: true` makes the whole invocation fail, and so does an event whose JSON contains
 *   `please-throw` (sources whose payload is not ours, e.g. an S3 key under `fail/`);
 * - `crashOnce: "<marker>"` fails the first invocation that carries it, then succeeds;
 * - tumbling-window invocations count records into their state.
 */
const directory = process.env.RECORDINGS_DIR ?? '/tmp/local-fixture-recordings';
mkdirSync(directory, { recursive: true });

interface Payload {
  fail?: boolean;
  throw?: boolean;
  crashOnce?: string;
}

interface StreamOrQueueRecord {
  kinesis?: { data: string; sequenceNumber: string };
  dynamodb?: { SequenceNumber: string };
  body?: string;
  messageId?: string;
}

function payloadOf(record: StreamOrQueueRecord): Payload {
  const text = record.kinesis ? Buffer.from(record.kinesis.data, 'base64').toString('utf8') : record.body;
  try {
    return typeof text === 'string' ? (JSON.parse(text) as Payload) : {};
  } catch {
    return {};
  }
}

function idOf(record: StreamOrQueueRecord): string {
  return record.kinesis?.sequenceNumber ?? record.dynamodb?.SequenceNumber ?? record.messageId ?? '';
}

export const handler = async (event: Record<string, unknown>, context: { functionName: string }) => {
  const name = context.functionName.split('-').pop() as string;
  const serialized = JSON.stringify(event);
  appendFileSync(join(directory, `${name}.jsonl`), `${serialized}\n`);
  const records = (Array.isArray(event.Records) ? event.Records : []) as StreamOrQueueRecord[];
  const payloads = records.map(payloadOf);
  if (payloads.some((payload) => payload.throw)) throw new Error('a record asked the function to fail');
  if (serialized.includes('please-throw'))
    throw new Error('the event asked the function to fail (please-throw)');
  for (const payload of payloads) {
    if (payload.crashOnce === undefined) continue;
    const marker = join(directory, `crashed-${payload.crashOnce}`);
    if (!existsSync(marker)) {
      writeFileSync(marker, '');
      throw new Error('crashing once, mid-batch');
    }
  }
  if ('window' in event) {
    const state = (event.state ?? {}) as { count?: number };
    return { state: { count: (state.count ?? 0) + records.length } };
  }
  const failures = records
    .filter((_, index) => payloads[index]?.fail)
    .map((record) => ({ itemIdentifier: idOf(record) }));
  return { batchItemFailures: failures };
};
