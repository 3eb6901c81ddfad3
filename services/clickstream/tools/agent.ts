/**
 * npm run agent -- --file <log> [--stream <name>] [--checkpoint <path>] [--cloud <cloud.json>]
 *
 * Tails a growing log file (rotation-safe) and sends its lines to a Firehose delivery stream with
 * PutRecordBatch, checkpointing its place (log-agent/log-agent.ts). Ctrl-C finishes the batch under
 * way and saves the checkpoint; the next run goes on from there. The stream is the local cloud's
 * clicks delivery stream unless --stream names another (or, without a local cloud, one in AWS).
 */
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createClicksDeliveryStream } from '../src/adapters/clicks-delivery-stream';
import { createRecordPutter } from '../src/core/record-putter';
import { startLogAgent } from './log-agent/log-agent';
import { targets } from './targets';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    stream: { type: 'string' },
    checkpoint: { type: 'string' },
    cloud: { type: 'string' },
  },
});

async function main() {
  if (values.file === undefined) throw new Error('--file <log> is required');
  const file = resolve(values.file);
  const where = await targets(values.cloud);
  const streamName = values.stream ?? where.streamName;
  if (streamName === undefined) throw new Error('--stream is required without a local cloud');
  const putter = createRecordPutter({
    stream: createClicksDeliveryStream({ client: where.firehose, deliveryStreamName: streamName }),
    maxAttempts: 8,
  });
  const agent = await startLogAgent({
    file,
    checkpointFile: values.checkpoint ?? join(dirname(file), `.${basename(file)}.checkpoint`),
    // Lines Firehose keeps refusing are sent again until it takes them: the agent never skips one.
    async send(lines) {
      let pending = lines;
      for (;;) {
        const { refused, lastError } = await putter.putAll(pending);
        if (refused.length === 0) return;
        console.error(`${refused.length} lines refused (${lastError}); sending them again`);
        pending = refused.map((index) => pending[index] as Buffer);
      }
    },
    log: (line) => console.error(line),
  });
  console.error(`tailing ${file} into ${streamName} (${where.describedBy}); Ctrl-C stops`);
  const report = setInterval(() => console.error(`${agent.linesSent} lines sent`), 10_000);
  const stop = async () => {
    clearInterval(report);
    await agent.stop();
    console.error(`stopped after ${agent.linesSent} lines; the checkpoint is saved`);
    where.firehose.destroy();
    where.dynamodb.destroy();
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
