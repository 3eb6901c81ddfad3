/**
 * One delivery stream at work: records accepted (journaled first, journal.ts) wait in the processor's
 * buffer and go to the transformation Lambda in batches; their results, failures and source backups
 * go to the S3 buffers (output-buffers.ts). The journal's checkpoint follows the oldest record not
 * yet delivered, dropped or in the error prefix.
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */
import { randomUUID } from 'node:crypto';
import type { LambdaInvoker } from '../../lambda/invoker';
import { sleep } from '../emulator';
import type { DeliveryStreamConfig } from './delivery-stream-config';
import type { FaultPlan } from './faults';
import type { Journal, JournalRecord } from './journal';
import type { FirehoseMetrics } from './metrics';
import { createOutputBuffers, type ObjectStore, type Unit } from './output-buffers';
import {
  type InvocationOutcome,
  invocationOutcome,
  PROCESSING_FAILED_STATUS,
  type SourceRecord,
  transformationEvent,
} from './transformation';

export type { ObjectStore } from './output-buffers';

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

interface Waiting extends SourceRecord {
  seq: number;
  enteredAt: number;
}

export async function startDelivery(options: DeliveryOptions): Promise<DeliveryPipeline> {
  const { config, journal, invoker, metrics, faults, log } = options;
  const clock = options.clock ?? Date.now;
  const retryDelayMs = options.retryDelayMs ?? ((attempt: number) => Math.min(100 * 2 ** attempt, 5_000));
  const stream = config.name;
  const obligations = config.backup ? 2 : 1;
  const units: Unit[] = [];
  const waiting: Waiting[] = [];
  let waitingBytes = 0;
  let nextSeq = journal.checkpointed;
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
  const complete = (unit: Unit) => {
    unit.pending -= 1;
  };
  /** Every record below this is delivered, dropped or in the error prefix. */
  const lowWater = () => {
    while (units.length > 0 && (units[0] as Unit).pending <= 0) units.shift();
    return units[0]?.first ?? waiting[0]?.seq ?? nextSeq;
  };

  const outputs = createOutputBuffers({
    ...options,
    clock,
    retryDelayMs,
    track,
    stopping: () => stopping,
    written: async (written) => {
      for (const unit of written) complete(unit);
      await saveCheckpoint();
    },
  });
  const { toDestination, toError, toBackup } = outputs;

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
    outputs.writeDue();
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
      outputs.writeAll();
      while (work.size > 0) await Promise.all(work);
      await saveCheckpoint();
      await journal.close();
    },
  };
}
