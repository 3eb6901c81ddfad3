/**
 * npm run bench (telemetry): P3, the aggregator handler beside a bare decoding loop (in-process), then
 * the pipeline on a local cloud of its own: end-to-end throughput and P4, the alert latency.
 */
import { handlerThroughput } from './handler-throughput';
import { pipeline, printPipeline } from './pipeline';

async function main() {
  await handlerThroughput();
  printPipeline(await pipeline());
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
