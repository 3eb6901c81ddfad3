import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The fixture's Step Functions task: records every invocation (with the time it started) to
 * <RECORDINGS_DIR>/stepWorker.jsonl, then behaves as the input asks:
 * - `failTimes: n` with a `key`: the first n invocations carrying that key throw an Error;
 * - otherwise returns `{ value: value * 2, label }`.
 */
const directory = process.env.RECORDINGS_DIR ?? '/tmp/local-fixture-recordings';
mkdirSync(directory, { recursive: true });
const recordings = join(directory, 'stepWorker.jsonl');

interface StepRequest {
  value?: number;
  label?: string;
  key?: string;
  failTimes?: number;
}

function invocationsOf(key: string): number {
  if (!existsSync(recordings)) return 0;
  return readFileSync(recordings, 'utf8')
    .split('\n')
    .filter((line) => line !== '' && (JSON.parse(line) as { event: StepRequest }).event?.key === key).length;
}

export const handler = async (event: StepRequest) => {
  appendFileSync(recordings, `${JSON.stringify({ at: Date.now(), event })}\n`);
  if (event.key !== undefined && event.failTimes !== undefined) {
    const attempt = invocationsOf(event.key);
    if (attempt <= event.failTimes) throw new Error(`transient failure ${attempt} of ${event.failTimes}`);
  }
  return { value: (event.value ?? 0) * 2, ...(event.label === undefined ? {} : { label: event.label }) };
};
