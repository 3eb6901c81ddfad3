import { appendFileSync } from 'node:fs';

const arrivalsFile = process.env.ARRIVALS_FILE ?? '/tmp/bench-arrivals.log';

interface TriggerEvent {
  Records?: { s3?: { object: { key: string } }; kinesis?: { data: string } }[];
}

/** Notes "<id> <epoch ms>" the moment the handler starts, for each record. */
export const handler = async (event: TriggerEvent) => {
  const now = Date.now();
  const lines = (event.Records ?? []).map((record) => {
    const id = record.s3
      ? record.s3.object.key
      : Buffer.from(record.kinesis?.data ?? '', 'base64').toString('utf8');
    return `${id} ${now}\n`;
  });
  appendFileSync(arrivalsFile, lines.join(''));
  return { batchItemFailures: [] };
};
