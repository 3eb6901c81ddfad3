/**
 * npm run agent -- --file <log> [--stream <name>] [--checkpoint <path>] [--cloud <cloud.json>]
 *
 * Tails a growing log file (rotation-safe) and sends its lines to a Firehose delivery stream with
 * PutRecordBatch, checkpointing its place (log-agent/log-agent.ts). Ctrl-C finishes the batch under
 * way and saves the checkpoint; the next run goes on from there. The stream is the local cloud's
 * clicks delivery stream unless --stream names another (or, without a local cloud, one in AWS).
 */
import { basename, dirname, join, resolve } from 'node:path';
import { CLOUD_OPTION, parseCommandLine, usageError } from '@serverless-patterns/local/command-line';
import { createClicksDeliveryStream } from '../src/adapters/clicks-delivery-stream';
import { createRecordPutter } from '../src/core/record-putter';
import { startLogAgent } from './log-agent/log-agent';
import { targets } from './targets';

const AGENT = {
  invocation: 'npm run agent --',
  synopsis: '--file <log> [options]',
  about: [
    "Does the Kinesis Agent's job: tails a growing log file (click JSON, one per line) and sends its lines",
    'to a Firehose delivery stream with PutRecordBatch. It follows rename rotation and copytruncate, and',
    'checkpoints the inode and offset of what Firehose accepted; Ctrl-C finishes the batch under way and',
    "saves the checkpoint, and the next run goes on from there. The stream is the local cloud's clicks",
    'delivery stream (.local/cloud.json, npm start) unless --stream names another; without a local cloud,',
    "one in AWS with the SDK's own configuration.",
  ].join('\n'),
  options: {
    file: { type: 'string', placeholder: '<log>', description: 'the log file to tail (required)' },
    stream: {
      type: 'string',
      placeholder: '<name>',
      description: "the delivery stream (default the local cloud's clicks stream; needed without one)",
    },
    checkpoint: {
      type: 'string',
      placeholder: '<path>',
      description: 'where the checkpoint is kept (default .<log>.checkpoint beside the file)',
    },
    cloud: CLOUD_OPTION,
  },
} as const;

const { values } = parseCommandLine(AGENT);
if (values.file === undefined) usageError(AGENT.invocation, 'name the log file to tail: --file <log>');

async function main() {
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
