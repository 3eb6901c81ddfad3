import { gunzipSync } from 'node:zlib';
import {
  FirehoseClient,
  PutRecordBatchCommand,
  type PutRecordBatchResponseEntry,
} from '@aws-sdk/client-firehose';
import { expect } from 'chai';
import type { RunningEmulator } from '../../src/emulators/emulator';
import type { ObjectStore } from '../../src/emulators/firehose/delivery';
import {
  type DeliveryStreamConfig,
  deliveryStreamConfig,
} from '../../src/emulators/firehose/delivery-stream-config';
import type { InvokeResult, LambdaInvoker } from '../../src/lambda/invoker';
import { eventually } from '../../testing/harness';
import { clientConfig } from './support';

export const ACCOUNT = '000000000000';
export const REGION = 'us-east-1';
export const BUCKET = 'lake';
export const FUNCTION_ARN = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:transform`;

/** S3 as the pipeline sees it: every object written, in order. */
export function memoryObjectStore() {
  const objects: { bucket: string; key: string; body: Buffer }[] = [];
  let failures = 0;
  const store: ObjectStore & {
    objects: typeof objects;
    failNext(times: number): void;
    under(prefix: string): typeof objects;
    /** Every line of every object under `prefix`, gunzipped when the key says so. */
    lines(prefix: string): string[];
  } = {
    objects,
    async put(bucket, key, body) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('S3 is unavailable (injected)');
      }
      objects.push({ bucket, key, body });
    },
    failNext(times) {
      failures = times;
    },
    under: (prefix) => objects.filter((object) => object.key.startsWith(prefix)),
    lines: (prefix) =>
      store.under(prefix).flatMap((object) =>
        (object.key.endsWith('.gz') ? gunzipSync(object.body) : object.body)
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== ''),
      ),
  };
  return store;
}

export interface TransformRecord {
  recordId: string;
  approximateArrivalTimestamp: number;
  data: string;
}
export interface TransformEvent {
  invocationId: string;
  deliveryStreamArn: string;
  region: string;
  records: TransformRecord[];
}

/** A transformation function in the test's process: `respond` decides each invocation's answer. */
export function fakeTransformer(
  respond: (event: TransformEvent, call: number) => InvokeResult | Promise<InvokeResult>,
) {
  const events: TransformEvent[] = [];
  const invoker: LambdaInvoker & { events: TransformEvent[] } = {
    events,
    async invoke(_functionName, payload) {
      events.push(payload as TransformEvent);
      const result = await respond(payload as TransformEvent, events.length);
      return { payloadBytes: JSON.stringify(result.payload ?? '').length, ...result };
    },
  };
  return invoker;
}

/** Each record's data, uppercased, as one line; `Dropped` and `ProcessingFailed` for data that says so. */
export const upperCaseLines = (event: TransformEvent): InvokeResult => ({
  payload: {
    records: event.records.map(({ recordId, data }) => {
      const text = Buffer.from(data, 'base64').toString('utf8');
      if (text.startsWith('drop')) return { recordId, result: 'Dropped', data };
      if (text.startsWith('fail')) return { recordId, result: 'ProcessingFailed', data };
      return { recordId, result: 'Ok', data: Buffer.from(`${text.toUpperCase()}\n`).toString('base64') };
    }),
  },
});

/** A stream as CloudFormation declares it; `overrides` replace ExtendedS3DestinationConfiguration's fields. */
export function streamConfig(
  name: string,
  overrides: Record<string, unknown> = {},
  top: Record<string, unknown> = {},
): DeliveryStreamConfig {
  return deliveryStreamConfig(name, `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/${name}`, {
    DeliveryStreamType: 'DirectPut',
    ...top,
    ExtendedS3DestinationConfiguration: {
      BucketARN: `arn:aws:s3:::${BUCKET}`,
      RoleARN: `arn:aws:iam::${ACCOUNT}:role/delivery`,
      Prefix: `raw/${name}/!{timestamp:yyyy}/`,
      ErrorOutputPrefix: `errors/${name}/!{firehose:error-output-type}/`,
      BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 0 },
      CompressionFormat: 'UNCOMPRESSED',
      ...overrides,
    },
  });
}

export const lambdaProcessing = (parameters: Record<string, string> = {}) => ({
  Enabled: true,
  Processors: [
    {
      Type: 'Lambda',
      Parameters: Object.entries({
        LambdaArn: FUNCTION_ARN,
        BufferIntervalInSeconds: '0',
        ...parameters,
      }).map(([ParameterName, ParameterValue]) => ({ ParameterName, ParameterValue })),
    },
  ],
});

export function firehoseClient(emulator: RunningEmulator) {
  return new FirehoseClient({ ...clientConfig(emulator), maxAttempts: 1 });
}

/** Puts text records in calls of at most 500 and expects every one accepted. */
export async function putAll(client: FirehoseClient, DeliveryStreamName: string, texts: readonly string[]) {
  const RequestResponses: PutRecordBatchResponseEntry[] = [];
  for (let start = 0; start < texts.length; start += 500) {
    const response = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName,
        Records: texts.slice(start, start + 500).map((text) => ({ Data: Buffer.from(text) })),
      }),
    );
    expect(response.FailedPutCount, 'records refused').to.equal(0);
    RequestResponses.push(...(response.RequestResponses ?? []));
  }
  return { RequestResponses };
}

/** Waits until `read` satisfies `done`, then asserts it (time is what the test allows, not what it checks). */
export async function waitFor<T>(
  what: string,
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 10_000,
): Promise<T> {
  const value = await eventually(async () => read(), done, timeoutMs);
  expect(done(value), `timed out waiting for ${what}`).to.equal(true);
  return value;
}

/** The error a call fails with; a call that succeeds fails the test. */
export async function rejection(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  return expect.fail('the call succeeded');
}
