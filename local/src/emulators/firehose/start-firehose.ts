import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { LambdaInvoker } from '../../lambda/invoker';
import { awsJsonListener, readRequestBody } from '../aws-json';
import { prepareDataDir, type RunningEmulator, serveOnLoopback } from '../emulator';
import { type DeliveryPipeline, type ObjectStore, startDelivery } from './delivery';
import type { DeliveryStreamConfig } from './delivery-stream-config';
import { createFaultPlan, faultRequestSchema } from './faults';
import { firehoseOperations, MAX_BATCH_BYTES, type RunningStream } from './firehose-api';
import { openJournal } from './journal';
import { createFirehoseMetrics, type FirehoseMetrics } from './metrics';

export const FAULTS_PATH = '/_local/faults';

export interface FirehoseLoadOptions {
  deliveryStreams: readonly DeliveryStreamConfig[];
  /** Invokes the transformation functions. */
  invoker: LambdaInvoker;
  /** Where the objects go (S3). */
  objects: ObjectStore;
  /** Where the AWS/Firehose metrics go, one EMF document at a time. */
  publishMetrics?: (document: Record<string, unknown>) => void;
}

export interface RunningFirehose extends RunningEmulator {
  /**
   * Serves these delivery streams from now on, each delivering what its journal kept from before
   * (a restart); until then every stream name is ResourceNotFoundException.
   */
  load(options: FirehoseLoadOptions): Promise<void>;
  /** Stops delivering (what is accepted stays journaled for the next load) and serves no stream. */
  unload(): Promise<void>;
  /** Records accepted by a stream and not yet delivered: what a test or benchmark waits on. */
  pending(streamName: string): number;
}

export interface FirehoseOptions {
  port: number;
  /** One folder per delivery stream holds its journal. */
  dataDir: string;
  region: string;
  accountId: string;
  log?: (line: string) => void;
  /** How often buffers are checked against their intervals (default 50 ms). */
  tickMs?: number;
  /** The wait before the n-th retry of an invocation or an S3 write (default 100 ms doubling, up to 5 s). */
  retryDelayMs?: (attempt: number) => number;
}

/**
 * The local Firehose: its API on loopback in AWS JSON 1.1 (`X-Amz-Target: Firehose_20150804.<Operation>`),
 * delivery streams run in this process (delivery.ts), each with a journal on disk (journal.ts);
 * `POST /_local/faults` arms faults for tests (faults.ts).
 */
export async function startFirehose(options: FirehoseOptions): Promise<RunningFirehose> {
  const log = options.log ?? (() => undefined);
  const dataDir = await prepareDataDir(options.dataDir);
  const faults = createFaultPlan();
  let streams = new Map<string, RunningStream>();
  let metrics: FirehoseMetrics | undefined;

  const api = awsJsonListener({
    serviceName: 'Firehose',
    version: '1.1',
    targetPrefix: 'Firehose_20150804',
    operations: firehoseOperations({ streams: () => streams, faults, accountId: options.accountId }),
    internalErrorType: 'ServiceUnavailableException',
    // 4 MiB of records is about 5.4 MiB of base64 JSON.
    maxBodyBytes: Math.ceil((MAX_BATCH_BYTES * 4) / 3) + 1024 * 1024,
    log,
  });

  const unload = async () => {
    const stopping = [...streams.values()];
    streams = new Map();
    await Promise.all(stopping.map((stream) => stream.pipeline.stop()));
    metrics?.stop();
    metrics = undefined;
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== FAULTS_PATH) {
      api(request, response);
      return;
    }
    handleFaults(request, response, faults).catch((error: unknown) => {
      log(`firehose faults: ${String(error)}`);
      if (!response.headersSent) send(response, 500, { message: 'Internal server error' });
    });
  });
  const running = await serveOnLoopback('firehose', server, options.port, { beforeClose: unload });
  return {
    ...running,
    async load(load) {
      await unload();
      const publish = load.publishMetrics ?? (() => undefined);
      metrics = createFirehoseMetrics({ publish });
      const loaded = new Map<string, RunningStream>();
      for (const config of load.deliveryStreams) {
        const journal = await openJournal(join(dataDir, config.name));
        const pipeline: DeliveryPipeline = await startDelivery({
          config,
          journal,
          objects: load.objects,
          invoker: load.invoker,
          region: options.region,
          metrics,
          faults,
          log,
          ...(options.tickMs === undefined ? {} : { tickMs: options.tickMs }),
          ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
        });
        loaded.set(config.name, { config, pipeline, createdAt: new Date() });
      }
      streams = loaded;
    },
    unload,
    pending: (name) => streams.get(name)?.pipeline.pending() ?? 0,
  };
}

const send = (response: ServerResponse, statusCode: number, body: unknown) => {
  const payload = body === undefined ? '' : JSON.stringify(body);
  response.writeHead(statusCode, {
    'content-length': Buffer.byteLength(payload),
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
  });
  response.end(payload);
};

async function handleFaults(
  request: IncomingMessage,
  response: ServerResponse,
  faults: ReturnType<typeof createFaultPlan>,
) {
  if (request.method === 'DELETE') {
    request.resume();
    faults.clear();
    send(response, 204, undefined);
    return;
  }
  if (request.method === 'GET') {
    request.resume();
    send(response, 200, { faults: faults.armed() });
    return;
  }
  if (request.method !== 'POST') {
    request.resume();
    send(response, 405, { message: 'use POST, GET or DELETE' });
    return;
  }
  let body: unknown;
  try {
    body = JSON.parse((await readRequestBody(request, 64 * 1024)).toString('utf8'));
  } catch {
    send(response, 400, { message: 'body must be JSON' });
    return;
  }
  const parsed = faultRequestSchema.safeParse(body);
  if (!parsed.success) {
    send(response, 400, { message: parsed.error.message });
    return;
  }
  faults.arm(parsed.data);
  send(response, 201, { faults: faults.armed() });
}
