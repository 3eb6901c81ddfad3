import { randomUUID } from 'node:crypto';
import { type KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { eventually, localCloudSuite, serviceOf } from '@serverless-patterns/local/testing';
import { expect } from 'chai';

export const FIXTURE = 'fixture-service';

/** What a fixture function received: one element per invocation, in the order they ran. */
export type Invocation = Record<string, unknown> & { Records?: Record<string, unknown>[] };

/**
 * The set-up every suite of local/test/integration shares, called in its `describe`: the run's local
 * cloud (with the fixture service), SDK clients for it, and the fixture service's physical names.
 */
export function fixtureSuite() {
  const suite = localCloudSuite();
  const fixture = () => serviceOf(suite.cloud.description, FIXTURE);
  return {
    get cloud() {
      return suite.cloud;
    },
    get aws() {
      return suite.aws;
    },
    /** The physical name (Ref) of a fixture resource: bucket, stream and table names, queue URLs, topic ARN. */
    resource: (logicalId: string) => fixture().resource(logicalId),
    functionName: (key: string) => fixture().functionName(key),
  };
}

/** An id no other test (or earlier run) uses, so that each test reads its own records only. */
export function uniqueId(label: string): string {
  return `${label}-${randomUUID().slice(0, 8)}`;
}

/**
 * Waits until `done` holds for what `read` returns, and fails with `what` if it never does. Time is
 * only what we allow the cloud; the assertions are made on the value.
 */
export async function waitFor<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs = 20_000,
): Promise<T> {
  const value = await eventually(read, done, timeoutMs);
  expect(done(value), `timed out waiting for ${what}`).to.equal(true);
  return value;
}

export function recordsOf(invocation: Invocation): Record<string, unknown>[] {
  return Array.isArray(invocation.Records) ? invocation.Records : [];
}

/** The JSON a Kinesis record carries (base64 in `kinesis.data`). */
export function kinesisPayload(record: Record<string, unknown>): Record<string, unknown> {
  const kinesis = record.kinesis as { data: string };
  return JSON.parse(Buffer.from(kinesis.data, 'base64').toString('utf8')) as Record<string, unknown>;
}

export function kinesisSequence(record: Record<string, unknown>): string {
  return (record.kinesis as { sequenceNumber: string }).sequenceNumber;
}

/** The `id`s of the Kinesis records of an invocation, in order. */
export function kinesisIds(invocation: Invocation): string[] {
  return recordsOf(invocation).map((record) => String(kinesisPayload(record).id));
}

/** Puts records on one stream, in order (one PutRecords call), and returns their sequence numbers. */
export async function putKinesisRecords(
  kinesis: KinesisClient,
  streamName: string,
  payloads: readonly (Record<string, unknown> & { id: string })[],
  partitionKey: (payload: Record<string, unknown> & { id: string }) => string = (payload) => payload.id,
): Promise<string[]> {
  const { Records, FailedRecordCount } = await kinesis.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: payloads.map((payload) => ({
        PartitionKey: partitionKey(payload),
        Data: Buffer.from(JSON.stringify(payload)),
      })),
    }),
  );
  expect(FailedRecordCount ?? 0, 'records refused by PutRecords').to.equal(0);
  return (Records ?? []).map((record) => record.SequenceNumber as string);
}

/**
 * Every message that reached a queue during the run. Receiving deletes, so the messages are kept here,
 * shared by the suites, and each test picks its own among them.
 */
const inboxes = new Map<string, Record<string, unknown>[]>();

export async function queueInbox(sqs: SQSClient, queueUrl: string): Promise<Record<string, unknown>[]> {
  let inbox = inboxes.get(queueUrl);
  if (inbox === undefined) {
    inbox = [];
    inboxes.set(queueUrl, inbox);
  }
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  for (const message of Messages ?? []) {
    inbox.push(JSON.parse(message.Body ?? 'null') as Record<string, unknown>);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle }));
  }
  return inbox;
}

/** What the fixture's `answer` function sees of its execution environment. */
export interface Answer {
  version: string;
  environmentId: string;
  variables: Record<string, string | null>;
  timeZone: string;
}

/** Invokes the fixture's `answer` function through the Lambda Invoke API. */
export async function answerOf(fixture: ReturnType<typeof fixtureSuite>): Promise<Answer> {
  const { Payload, FunctionError } = await fixture.aws
    .lambda(FIXTURE)
    .send(new InvokeCommand({ FunctionName: fixture.functionName('answer') }));
  const payload = JSON.parse(Buffer.from(Payload ?? []).toString('utf8')) as Answer;
  expect(FunctionError, JSON.stringify(payload)).to.equal(undefined);
  return payload;
}
