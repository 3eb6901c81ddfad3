/**
 * One delivery stream at work: records accepted (journaled first, journal.ts) wait in the processor's
 * buffer, go to the transformation Lambda in batches, and their results wait in the destination's
 * buffers (one per partition with dynamic partitioning), to be written to S3 as one object each,
 * GZIP if configured. Failed records wait in the error buffer, every source record in the backup's.
 * Each buffer is written when its size hint is reached or its interval has passed, whichever is first.
 * https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 * https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
 */
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { LambdaInvoker } from '../../lambda/invoker';
import type { DeliveryStreamConfig, S3Output } from './delivery-stream-config';
import type { FaultPlan } from './faults';
import type { Journal, JournalRecord } from './journal';
import type { FirehoseMetrics } from './metrics';
import { evaluatePrefix, objectKey, PrefixError } from './prefixes';
import {
  type InvocationOutcome,
  invocationOutcome,
  MISSING_PARTITION_KEY,
  PROCESSING_FAILED_STATUS,
  type ProcessingFailedRecord,
  type SourceRecord,
  transformationEvent,
} from './transformation';

const gzipAsync = promisify(gzip);

/** Where objects are written: S3, through the SDK, in the local cloud. */
export interface ObjectStore {
  put(bucket: string, key: string, body: Buffer): Promise<void>;
}

export interface DeliveryOptions {
  config: DeliveryStreamConfig;
  journal: Journal;
  objects: ObjectStore;
  invoker: LambdaInvoker;
  region: string;
  metrics: FirehoseMetrics;
  faults: FaultPlan;
  log: (line: string) => void;
  clock?: () => number;
  /** How often buffers are checked against their interval. */
  tickMs?: number;
  /** The wait before the n-th retry of a failed invocation or S3 write. */
  retryDelayMs?: (attempt: number) => number;
}

export interface DeliveryPipeline {
  /** Journals the records, then buffers them; resolves with their record ids once they are on disk. */
  accept(data: readonly Buffer[]): Promise<string[]>;
  /** Records accepted and not yet written to S3 (or dropped). */
  pending(): number;
  /**
   * Stops: no new invocation; what is under way settles, the destination, error and backup buffers are
   * written, and the checkpoint saved. What still waits for its transformation is delivered after
   * the next start, from the journal.
   */
  stop(): Promise<void>;
}

/**
 * Firehose allows up to 5 outstanding Lambda invocations per shard:
 * https://docs.aws.amazon.com/firehose/latest/dev/limits.html
 */
const MAX_OUTSTANDING_INVOCATIONS = 5;

/** A record id shaped like Firehose's (56 digits), derived from the record's place in the stream. */
export const recordIdOf = (seq: number): string =>
  `4954698668313554428650745793632${String(seq).padStart(25, '0')}`;

/** Contiguous records whose delivery is tracked together; the checkpoint waits for the oldest. */
interface Unit {
  first: number;
  pending: number;
}

interface Waiting extends SourceRecord {
  seq: number;
  enteredAt: number;
}

interface Buffered {
  unit: Unit;
  arrival: number;
  body: Buffer;
}

interface OutputBuffer {
  kind: 'destination' | 'error' | 'backup';
  output: S3Output;
  partitionKeys?: Record<string, string>;
  items: Buffered[];
  bytes: number;
  firstAt: number;
}

export async function startDelivery(options: DeliveryOptions): Promise<DeliveryPipeline> {
  const { config, journal, objects, invoker, metrics, faults, log } = options;
  const clock = options.clock ?? Date.now;
  const retryDelayMs = options.retryDelayMs ?? ((attempt: number) => Math.min(100 * 2 ** attempt, 5_000));
  const stream = config.name;
  const obligations = config.backup ? 2 : 1;
  const units: Unit[] = [];
  const waiting: Waiting[] = [];
  let waitingBytes = 0;
  let nextSeq = journal.checkpointed;
  const buffers = new Map<string, OutputBuffer>();
  const work = new Set<Promise<void>>();
  let invocations = 0;
  let stopping = false;

  const track = (promise: Promise<void>) => {
    const tracked = promise.catch((error: unknown) => log(`firehose ${stream}: ${String(error)}`));
    work.add(tracked);
    void tracked.finally(() => work.delete(tracked));
  };

  const openUnit = (first: number, count: number): Unit => {
    const unit = { first, pending: count * obligations };
    units.push(unit);
    return unit;
  };
  const complete = (unit: Unit, count = 1) => {
    unit.pending -= count;
  };
  /** Every record below this is delivered, dropped or in the error prefix. */
  const lowWater = () => {
    while (units.length > 0 && (units[0] as Unit).pending <= 0) units.shift();
    return units[0]?.first ?? waiting[0]?.seq ?? nextSeq;
  };

  const bufferOf = (
    key: string,
    kind: OutputBuffer['kind'],
    output: S3Output,
    partitionKeys?: Record<string, string>,
  ) => {
    let buffer = buffers.get(key);
    if (buffer === undefined) {
      buffer = {
        kind,
        output,
        items: [],
        bytes: 0,
        firstAt: clock(),
        ...(partitionKeys ? { partitionKeys } : {}),
      };
      buffers.set(key, buffer);
    }
    return buffer;
  };
  const addTo = (buffer: OutputBuffer, item: Buffered) => {
    if (buffer.items.length === 0) buffer.firstAt = clock();
    buffer.items.push(item);
    buffer.bytes += item.body.length;
    if (buffer.bytes >= buffer.output.bufferSizeBytes) writeBuffer(buffer);
  };
  const toError = (
    unit: Unit,
    record: SourceRecord,
    error: { errorCode: string; errorMessage: string },
    attempts: number,
  ) => {
    const failed: ProcessingFailedRecord = {
      attemptsMade: attempts,
      arrivalTimestamp: record.arrival,
      errorCode: error.errorCode,
      errorMessage: error.errorMessage,
      attemptEndingTimestamp: clock(),
      rawData: record.data.toString('base64'),
      lambdaArn: config.processor?.functionArn ?? '',
    };
    addTo(bufferOf('error', 'error', config.destination), {
      unit,
      arrival: record.arrival,
      body: Buffer.from(`${JSON.stringify(failed)}\n`),
    });
  };
  const toDestination = (
    unit: Unit,
    record: SourceRecord,
    body: Buffer,
    partitionKeys?: Record<string, string>,
  ) => {
    if (config.partitionKeys.length === 0) {
      addTo(bufferOf('destination', 'destination', config.destination), {
        unit,
        arrival: record.arrival,
        body,
      });
      return;
    }
    const keys: Record<string, string> = {};
    for (const name of config.partitionKeys) {
      const value = partitionKeys?.[name];
      if (value === undefined) {
        toError(
          unit,
          record,
          { ...MISSING_PARTITION_KEY, errorMessage: `The record has no partition key ${name}.` },
          1,
        );
        return;
      }
      keys[name] = value;
    }
    addTo(bufferOf(`destination:${JSON.stringify(keys)}`, 'destination', config.destination, keys), {
      unit,
      arrival: record.arrival,
      body,
    });
  };

  /** A record accepted now or found in the journal at start. */
  const admit = (records: readonly JournalRecord[], enteredAt: number) => {
    if (records.length === 0) return;
    nextSeq = Math.max(nextSeq, (records.at(-1) as JournalRecord).seq + 1);
    const sources = records.map((record) => ({
      seq: record.seq,
      recordId: recordIdOf(record.seq),
      arrival: record.arrival,
      data: record.data,
      enteredAt,
    }));
    if (config.processor === undefined) {
      const unit = openUnit((records[0] as JournalRecord).seq, records.length);
      for (const source of sources) toDestination(unit, source, source.data);
      if (config.backup) for (const source of sources) toBackup(unit, source);
      return;
    }
    for (const source of sources) {
      waiting.push(source);
      waitingBytes += source.data.length;
    }
    startInvocations();
  };
  const toBackup = (unit: Unit, record: SourceRecord) => {
    if (config.backup === undefined) return;
    addTo(bufferOf('backup', 'backup', config.backup), { unit, arrival: record.arrival, body: record.data });
  };

  /** The processor's buffer: a batch leaves when it holds BufferSizeInMBs or is BufferIntervalInSeconds old. */
  const startInvocations = () => {
    const processor = config.processor;
    if (processor === undefined) return;
    while (!stopping && waiting.length > 0 && invocations < MAX_OUTSTANDING_INVOCATIONS) {
      const due =
        waitingBytes >= processor.bufferSizeBytes ||
        clock() - (waiting[0] as Waiting).enteredAt >= processor.bufferIntervalMs;
      if (!due) return;
      const batch: Waiting[] = [];
      let bytes = 0;
      while (waiting.length > 0) {
        const next = waiting[0] as Waiting;
        if (batch.length > 0 && bytes + next.data.length > processor.bufferSizeBytes) break;
        batch.push(next);
        bytes += next.data.length;
        waiting.shift();
      }
      waitingBytes -= bytes;
      const unit = openUnit((batch[0] as Waiting).seq, batch.length);
      if (config.backup) for (const record of batch) toBackup(unit, record);
      invocations += 1;
      track(
        transform(batch, unit).finally(() => {
          invocations -= 1;
          startInvocations();
        }),
      );
    }
  };

  const transform = async (batch: Waiting[], unit: Unit) => {
    const processor = config.processor as NonNullable<DeliveryStreamConfig['processor']>;
    let attempts = 0;
    let outcome: InvocationOutcome;
    for (;;) {
      attempts += 1;
      const started = clock();
      outcome = await invokeOnce(batch);
      metrics.observe(stream, 'ExecuteProcessing.Duration', clock() - started, 'Milliseconds');
      metrics.observe(stream, 'ExecuteProcessing.Success', outcome.ok ? 1 : 0, 'None');
      if (outcome.ok) break;
      // Stopping: the records stay in the journal and are transformed after the next start.
      if (stopping) return;
      if (attempts > processor.numberOfRetries) break;
      log(`firehose ${stream}: invocation failed (${outcome.errorCode}), attempt ${attempts}; retrying`);
      await sleep(retryDelayMs(attempts));
      if (stopping) return;
    }
    if (!outcome.ok) {
      log(
        `firehose ${stream}: ${batch.length} records to the error prefix after ${attempts} attempts (${outcome.errorCode})`,
      );
      for (const record of batch) toError(unit, record, outcome, attempts);
      return;
    }
    let succeeded = 0;
    let succeededBytes = 0;
    for (const record of batch) {
      const result = outcome.results.get(record.recordId);
      if (result?.result === 'Ok') {
        succeeded += 1;
        succeededBytes += result.data.length;
        toDestination(unit, record, result.data, result.partitionKeys);
      } else if (result?.result === 'ProcessingFailed') {
        toError(unit, record, PROCESSING_FAILED_STATUS, attempts);
      } else {
        complete(unit);
      }
    }
    metrics.add(stream, 'SucceedProcessing.Records', succeeded, 'Count');
    metrics.add(stream, 'SucceedProcessing.Bytes', succeededBytes, 'Bytes');
  };

  const invokeOnce = async (batch: Waiting[]): Promise<InvocationOutcome> => {
    const processor = config.processor as NonNullable<DeliveryStreamConfig['processor']>;
    const event = transformationEvent(batch, { arn: config.arn, region: options.region }, randomUUID());
    try {
      const result = await invoker.invoke(processor.functionName, event);
      if (faults.take('Lambda.invocation', stream))
        return {
          ok: false,
          errorCode: 'Lambda.FunctionError',
          errorMessage: 'The Lambda function was successfully invoked but it returned an error result.',
        };
      return invocationOutcome(batch, result);
    } catch (error) {
      // The function could not be run (its process died, the service is down): a function error too.
      return {
        ok: false,
        errorCode: 'Lambda.FunctionError',
        errorMessage: `The Lambda function could not be invoked: ${String(error)}`,
      };
    }
  };

  /** One object of a buffer's records; retried until S3 takes it (Firehose retries for up to 24 hours). */
  const writeBuffer = (buffer: OutputBuffer) => {
    if (buffer.items.length === 0) return;
    const items = buffer.items;
    buffer.items = [];
    buffer.bytes = 0;
    track(writeObject(buffer, items));
  };

  const writeObject = async (buffer: OutputBuffer, items: Buffered[]) => {
    const { output } = buffer;
    const oldest = Math.min(...items.map((item) => item.arrival));
    let key: string;
    try {
      const prefix = evaluatePrefix(buffer.kind === 'error' ? output.errorOutputPrefix : output.prefix, {
        timestamp: new Date(oldest),
        ...(buffer.kind === 'error' ? { errorOutputType: 'processing-failed' as const } : {}),
        ...(buffer.partitionKeys ? { partitionKeys: buffer.partitionKeys } : {}),
      });
      key = objectKey(prefix, {
        streamName: stream,
        version: config.version,
        timestamp: new Date(oldest),
        extension: output.fileExtension,
      });
    } catch (error) {
      if (!(error instanceof PrefixError) || buffer.kind !== 'destination') throw error;
      for (const item of items)
        toError(
          item.unit,
          { recordId: '', arrival: item.arrival, data: item.body },
          { errorCode: 'S3.PrefixEvaluationFailed', errorMessage: error.message },
          1,
        );
      return;
    }
    const raw = Buffer.concat(items.map((item) => item.body));
    const body = output.compression === 'GZIP' ? await gzipAsync(raw) : raw;
    for (let attempt = 1; ; attempt += 1) {
      try {
        await objects.put(output.bucket, key, body);
        metrics.observe(
          stream,
          buffer.kind === 'backup' ? 'BackupToS3.Success' : 'DeliveryToS3.Success',
          1,
          'None',
        );
        break;
      } catch (error) {
        metrics.observe(
          stream,
          buffer.kind === 'backup' ? 'BackupToS3.Success' : 'DeliveryToS3.Success',
          0,
          'None',
        );
        // Stopping: the records stay in the journal and are written after the next start.
        if (stopping && attempt >= 3) return;
        log(`firehose ${stream}: writing s3://${output.bucket}/${key} failed (${String(error)}); retrying`);
        await sleep(retryDelayMs(attempt));
      }
    }
    const now = clock();
    const prefix = buffer.kind === 'backup' ? 'BackupToS3' : 'DeliveryToS3';
    if (buffer.kind !== 'error') {
      metrics.add(stream, `${prefix}.Records`, items.length, 'Count');
      metrics.add(stream, `${prefix}.Bytes`, raw.length, 'Bytes');
      metrics.add(stream, `${prefix}.ObjectCount`, 1, 'Count');
      metrics.observe(stream, `${prefix}.DataFreshness`, (now - oldest) / 1000, 'Seconds');
    }
    for (const item of items) complete(item.unit);
    await saveCheckpoint();
  };

  let saving: Promise<void> | undefined;
  let saveAgain = false;
  const saveCheckpoint = async () => {
    if (saving) {
      saveAgain = true;
      return saving;
    }
    saving = (async () => {
      do {
        saveAgain = false;
        await journal.checkpoint(lowWater());
      } while (saveAgain);
    })().finally(() => {
      saving = undefined;
    });
    return saving;
  };

  const tick = () => {
    startInvocations();
    const now = clock();
    for (const buffer of buffers.values()) {
      if (buffer.items.length > 0 && now - buffer.firstAt >= buffer.output.bufferIntervalMs)
        writeBuffer(buffer);
    }
  };
  const timer = setInterval(tick, options.tickMs ?? 50);
  timer.unref();

  admit(journal.recovered, clock());
  if (journal.recovered.length > 0)
    log(
      `firehose ${stream}: ${journal.recovered.length} records from before the restart are delivered again`,
    );

  return {
    async accept(data) {
      if (stopping) throw new Error(`delivery stream ${stream} is stopping`);
      const arrival = clock();
      const seqs = await journal.append(data.map((body) => ({ arrival, data: body })));
      metrics.add(stream, 'IncomingRecords', data.length, 'Count');
      metrics.add(
        stream,
        'IncomingBytes',
        data.reduce((sum, body) => sum + body.length, 0),
        'Bytes',
      );
      admit(
        seqs.map((seq, index) => ({ seq, arrival, data: data[index] as Buffer })),
        arrival,
      );
      return seqs.map(recordIdOf);
    },
    pending: () => {
      const delivered = lowWater();
      return nextSeq - delivered;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(timer);
      while (work.size > 0) await Promise.all(work);
      for (const buffer of buffers.values()) writeBuffer(buffer);
      while (work.size > 0) await Promise.all(work);
      await saveCheckpoint();
      await journal.close();
    },
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
