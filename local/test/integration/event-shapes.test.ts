import { DeleteItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { PublishCommand } from '@aws-sdk/client-sns';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { expect } from 'chai';
import * as samples from '../aws-samples';
import {
  FIXTURE,
  fixtureSuite,
  type Invocation,
  kinesisIds,
  putKinesisRecords,
  recordsOf,
  uniqueId,
  waitFor,
} from './support';

/**
 * Objects whose keys are data, not fields (attribute names, item attributes and their type
 * descriptors): their keys are compared as `*`.
 */
const DATA_MAPS = [
  'Records[].dynamodb.Keys',
  'Records[].dynamodb.Keys.*',
  'Records[].dynamodb.NewImage',
  'Records[].dynamodb.NewImage.*',
  'Records[].dynamodb.OldImage',
  'Records[].dynamodb.OldImage.*',
  'Records[].messageAttributes',
  'Records[].Sns.MessageAttributes',
];

/** Every field path of `value`, recursively (`Records[].s3.object.key`); values are ignored. */
function fieldPaths(value: unknown, path = '', paths = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const element of value) fieldPaths(element, `${path}[]`, paths);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = DATA_MAPS.includes(path) ? `${path}.*` : path === '' ? key : `${path}.${key}`;
      paths.add(childPath);
      fieldPaths(child, childPath, paths);
    }
  }
  return paths;
}

function missingFields(delivered: unknown, sample: unknown): string[] {
  const present = fieldPaths(delivered);
  return [...fieldPaths(sample)].filter((path) => !present.has(path));
}

describe('local cloud: event shapes', () => {
  const fixture = fixtureSuite();

  const firstRecord = (invocation: Invocation) => recordsOf(invocation)[0] ?? {};
  const invocationOf = (functionKey: string, matches: (invocation: Invocation) => boolean) =>
    waitFor(
      `an invocation of ${functionKey}`,
      () => fixture.cloud.recordings(functionKey),
      (all) => all.some(matches),
    ).then((all) => all.find(matches) as Invocation);

  async function s3Events(id: string) {
    const Bucket = fixture.resource('FixtureBucket');
    const Key = `in/${id}/shape.txt`;
    const keyIs = (eventName: string) => (invocation: Invocation) => {
      const record = firstRecord(invocation) as { eventName?: string; s3?: { object: { key: string } } };
      return record.eventName === eventName && record.s3?.object.key === Key;
    };
    await fixture.aws.s3.send(new PutObjectCommand({ Bucket, Key, Body: 'shape' }));
    const put = await invocationOf('recordS3', keyIs('ObjectCreated:Put'));
    await fixture.aws.s3.send(new DeleteObjectCommand({ Bucket, Key }));
    return { put, removed: await invocationOf('recordS3', keyIs('ObjectRemoved:Delete')) };
  }

  async function kinesisEvent(id: string) {
    await putKinesisRecords(fixture.aws.kinesis, fixture.resource('BatchStream'), [{ id }]);
    return invocationOf('recordKinesis', (invocation) => kinesisIds(invocation).includes(id));
  }

  async function dynamodbRecords(id: string) {
    const TableName = fixture.resource('RecordsTable');
    const Key = { id: { S: id } };
    await fixture.aws.dynamodb.send(new PutItemCommand({ TableName, Item: { ...Key, note: { S: 'new' } } }));
    await fixture.aws.dynamodb.send(
      new UpdateItemCommand({
        TableName,
        Key,
        UpdateExpression: 'SET note = :note',
        ExpressionAttributeValues: { ':note': { S: 'changed' } },
      }),
    );
    await fixture.aws.dynamodb.send(new DeleteItemCommand({ TableName, Key }));
    const ours = (all: Invocation[]) =>
      all
        .flatMap(recordsOf)
        .filter((record) => (record.dynamodb as { Keys?: { id?: { S?: string } } }).Keys?.id?.S === id);
    const all = await waitFor(
      'the stream records of the item',
      () => fixture.cloud.recordings('recordTable'),
      (found) => ours(found).length >= 3,
    );
    return ours(all);
  }

  async function sqsEvent(id: string) {
    await fixture.aws.sqs.send(
      new SendMessageCommand({ QueueUrl: fixture.resource('WorkQueue'), MessageBody: id }),
    );
    return invocationOf('recordQueue', (invocation) => firstRecord(invocation).body === id);
  }

  async function snsEvent(id: string) {
    await fixture.aws.sns.send(
      new PublishCommand({
        TopicArn: fixture.resource('FixtureTopic'),
        Message: id,
        Subject: 'shape',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'wanted' } },
      }),
    );
    return invocationOf(
      'recordTopic',
      (invocation) => (firstRecord(invocation).Sns as { Message: string }).Message === id,
    );
  }

  async function scheduledEvent() {
    const scheduled = async () =>
      (await fixture.cloud.recordings('recordSchedule')).filter(
        (event) => event['detail-type'] === 'Scheduled Event',
      );
    const before = (await scheduled()).length;
    const response = await fetch(
      `${fixture.cloud.description.controlUrl}/schedules/${FIXTURE}/recordSchedule`,
      {
        method: 'POST',
      },
    );
    expect(response.status).to.equal(200);
    const all = await waitFor('the scheduled event', scheduled, (found) => found.length > before);
    return all[before] as Invocation;
  }

  // The events delivered have every field of AWS's own samples (extra fields are allowed).
  // https://docs.aws.amazon.com/lambda/latest/dg/lambda-services.html
  it("has every field of AWS's sample events in the events the functions receive", async function () {
    this.timeout(60_000);
    const id = uniqueId('shape');

    const [s3, kinesis, dynamodb, sqs, sns, scheduled] = await Promise.all([
      s3Events(id),
      kinesisEvent(id),
      dynamodbRecords(id),
      sqsEvent(id),
      snsEvent(id),
      scheduledEvent(),
    ]);

    const byName = (name: string) => ({ Records: dynamodb.filter((record) => record.eventName === name) });
    const comparisons: [string, unknown, unknown][] = [
      ['s3-put.json', s3.put, samples.s3Put],
      ['s3-delete.json', s3.removed, samples.s3Delete],
      ['kinesis-get-records.json', kinesis, samples.kinesisGetRecords],
      ...samples.dynamodbUpdate.Records.map((sample): [string, unknown, unknown] => [
        `dynamodb-update.json (${sample.eventName})`,
        byName(sample.eventName),
        { Records: [sample] },
      ]),
      ['sqs-receive-message.json', sqs, samples.sqsReceiveMessage],
      ['sns-notification.json', sns, samples.snsNotification],
      ['cloudwatch-scheduled-event.json', scheduled, samples.cloudwatchScheduledEvent],
    ];
    const missing = comparisons.map(([sample, delivered, expected]) => [
      sample,
      missingFields(delivered, expected),
    ]);
    expect(Object.fromEntries(missing)).to.deep.equal(
      Object.fromEntries(comparisons.map(([sample]) => [sample, []])),
    );
    expect(dynamodb.map((record) => record.eventName)).to.deep.equal(['INSERT', 'MODIFY', 'REMOVE']);
  });
});
