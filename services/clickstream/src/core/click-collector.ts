import { ServiceUnavailableError } from '@serverless-patterns/shared/errors';
import type { ClickEvent } from '@serverless-patterns/shared/schemas/events';
import { createRecordPutter, type PutterOptions } from './record-putter';

export type { RecordStream as ClickStream } from './record-putter';

/**
 * Puts a page's clicks into the delivery stream, resending only those Firehose refused
 * (record-putter.ts). What is still refused after the last try is reported, never dropped: the
 * handler answers 503 naming those clicks, and the page sends them again.
 */
export function createClickCollector(options: PutterOptions) {
  const putter = createRecordPutter(options);
  return {
    async collect(clicks: readonly ClickEvent[]): Promise<{ accepted: number }> {
      // A newline after each, so that the source-record backup is JSON lines too.
      const records = clicks.map((click) => Buffer.from(`${JSON.stringify(click)}\n`));
      const { refused, lastError = 'unknown' } = await putter.putAll(records);
      if (refused.length > 0) {
        throw new ServiceUnavailableError(
          `${refused.length} of ${clicks.length} clicks were not accepted (${lastError}); send them again`,
          { details: refused.map((index) => ({ path: `clicks.${index}`, message: lastError })) },
        );
      }
      return { accepted: clicks.length };
    },
  };
}
