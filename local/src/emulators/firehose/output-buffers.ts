/**
 * The destination's side of a delivery stream: records wait in S3 buffers (the destination's, one per
 * partition with dynamic partitioning; the error prefix's; the source backup's), and each buffer is
 * written as one object, GZIP if configured, once its size hint is reached or its interval has passed.
 * Writes are retried until S3 takes them, as Firehose retries for up to 24 hours.
 * https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html
 * https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
 */
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { sleep } from '../emulator';
import type { DeliveryStreamConfig, S3Output } from './delivery-stream-config';
import type { FirehoseMetrics } from './metrics';
import { evaluatePrefix, objectKey, PrefixError } from './prefixes';
import { MISSING_PARTITION_KEY, type ProcessingFailedRecord, type SourceRecord } from './transformation';

const gzipAsync = promisify(gzip);

/** Where objects are written: S3, through the SDK, in the local cloud. */
export interface ObjectStore {
  put(bucket: string, key: string, body: Buffer): Promise<void>;
}

/** Contiguous records whose delivery is tracked together; the checkpoint waits for the oldest. */
export interface Unit {
  first: number;
  pending: number;
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

export interface OutputBuffersOptions {
  config: DeliveryStreamConfig;
  objects: ObjectStore;
  metrics: FirehoseMetrics;
  log: (line: string) => void;
  clock: () => number;
  retryDelayMs: (attempt: number) => number;
  /** Runs a write in the background, as the pipeline's work that stop() waits for. */
  track: (write: Promise<void>) => void;
  /** True once the stream stops: a failing write then gives up, its records stay in the journal. */
  stopping: () => boolean;
  /** The records of an object S3 took (or that went to the error buffer instead). */
  written: (units: readonly Unit[]) => Promise<void>;
}

export interface OutputBuffers {
  toDestination(unit: Unit, record: SourceRecord, body: Buffer, partitionKeys?: Record<string, string>): void;
  toError(
    unit: Unit,
    record: SourceRecord,
    error: { errorCode: string; errorMessage: string },
    attempts: number,
  ): void;
  toBackup(unit: Unit, record: SourceRecord): void;
  /** Writes every buffer whose interval has passed. */
  writeDue(): void;
  /** Writes every buffer that holds records. */
  writeAll(): void;
}

export function createOutputBuffers(options: OutputBuffersOptions): OutputBuffers {
  const { config, objects, metrics, log, clock, retryDelayMs, track } = options;
  const stream = config.name;
  const buffers = new Map<string, OutputBuffer>();

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

  const toError: OutputBuffers['toError'] = (unit, record, error, attempts) => {
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

  const toDestination: OutputBuffers['toDestination'] = (unit, record, body, partitionKeys) => {
    const item = { unit, arrival: record.arrival, body };
    if (config.partitionKeys.length === 0) {
      addTo(bufferOf('destination', 'destination', config.destination), item);
      return;
    }
    const keys: Record<string, string> = {};
    for (const name of config.partitionKeys) {
      const value = partitionKeys?.[name];
      if (value === undefined) {
        const errorMessage = `The record has no partition key ${name}.`;
        toError(unit, record, { ...MISSING_PARTITION_KEY, errorMessage }, 1);
        return;
      }
      keys[name] = value;
    }
    addTo(bufferOf(`destination:${JSON.stringify(keys)}`, 'destination', config.destination, keys), item);
  };

  const toBackup: OutputBuffers['toBackup'] = (unit, record) => {
    if (config.backup === undefined) return;
    addTo(bufferOf('backup', 'backup', config.backup), { unit, arrival: record.arrival, body: record.data });
  };

  const writeBuffer = (buffer: OutputBuffer) => {
    if (buffer.items.length === 0) return;
    const items = buffer.items;
    buffer.items = [];
    buffer.bytes = 0;
    track(writeObject(buffer, items));
  };

  /** The object's key, or undefined once a destination prefix that cannot be evaluated sent them to errors. */
  const keyOf = (buffer: OutputBuffer, items: Buffered[], oldest: number): string | undefined => {
    const { output } = buffer;
    try {
      const prefix = evaluatePrefix(buffer.kind === 'error' ? output.errorOutputPrefix : output.prefix, {
        timestamp: new Date(oldest),
        ...(buffer.kind === 'error' ? { errorOutputType: 'processing-failed' as const } : {}),
        ...(buffer.partitionKeys ? { partitionKeys: buffer.partitionKeys } : {}),
      });
      return objectKey(prefix, {
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
      return undefined;
    }
  };

  const writeObject = async (buffer: OutputBuffer, items: Buffered[]) => {
    const { output } = buffer;
    // A loop, not Math.min(...): a buffer of tiny records holds more than a call takes as arguments.
    let oldest = Number.POSITIVE_INFINITY;
    for (const item of items) if (item.arrival < oldest) oldest = item.arrival;
    const key = keyOf(buffer, items, oldest);
    if (key === undefined) return;
    const raw = Buffer.concat(items.map((item) => item.body));
    const body = output.compression === 'GZIP' ? await gzipAsync(raw) : raw;
    const metric = buffer.kind === 'backup' ? 'BackupToS3' : 'DeliveryToS3';
    for (let attempt = 1; ; attempt += 1) {
      try {
        await objects.put(output.bucket, key, body);
        metrics.observe(stream, `${metric}.Success`, 1, 'None');
        break;
      } catch (error) {
        metrics.observe(stream, `${metric}.Success`, 0, 'None');
        // Stopping: the records stay in the journal and are written after the next start.
        if (options.stopping() && attempt >= 3) return;
        log(`firehose ${stream}: writing s3://${output.bucket}/${key} failed (${String(error)}); retrying`);
        await sleep(retryDelayMs(attempt));
      }
    }
    if (buffer.kind !== 'error') {
      metrics.add(stream, `${metric}.Records`, items.length, 'Count');
      metrics.add(stream, `${metric}.Bytes`, raw.length, 'Bytes');
      metrics.add(stream, `${metric}.ObjectCount`, 1, 'Count');
      metrics.observe(stream, `${metric}.DataFreshness`, (clock() - oldest) / 1000, 'Seconds');
    }
    await options.written(items.map((item) => item.unit));
  };

  return {
    toDestination,
    toError,
    toBackup,
    writeDue() {
      const now = clock();
      for (const buffer of buffers.values())
        if (buffer.items.length > 0 && now - buffer.firstAt >= buffer.output.bufferIntervalMs)
          writeBuffer(buffer);
    },
    writeAll() {
      for (const buffer of buffers.values()) writeBuffer(buffer);
    },
  };
}
