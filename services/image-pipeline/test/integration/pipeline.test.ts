import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AwsClients,
  awsClients,
  type Person,
  people,
  serviceOf,
  type TestCloud,
  useLocalCloud,
} from '@serverless-patterns/local/testing';
import type { CreateUploadResponse, ImageRecord, ImageView } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import sharp from 'sharp';

// The pipeline as a user meets it, on the local cloud: an object put into uploads/ with the SDK goes
// through the S3 notification, the trigger, the state machine (local Step Functions) and the local
// Rekognition, and ends as a record the API serves. The EXIF is written by exiftool, an independent
// tool, into a real photograph from a Debian package, and read back by exiftool to compare.

const PHOTOGRAPH = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';
const TERMINAL = ['READY', 'UNSUPPORTED', 'FAILED'];

describe('image pipeline, end to end on the local cloud', function () {
  this.timeout(240_000);
  let cloud: TestCloud;
  let aws: AwsClients;
  let person: Person;
  let s3: S3Client;
  let table: DynamoDBDocumentClient;
  let sfn: SFNClient;
  let bucket: string;
  let tableName: string;
  let stateMachineArn: string;
  let quotasTableName: string;
  let apiUrl: string;
  let workDir: string;

  before(async () => {
    cloud = await useLocalCloud();
    const { description } = cloud;
    const service = serviceOf(description, 'image-pipeline');
    aws = awsClients(description);
    s3 = aws.s3;
    table = DynamoDBDocumentClient.from(aws.dynamodb);
    sfn = aws.sfn;
    bucket = service.resource('ImagesBucket');
    tableName = service.resource('ImagesTable');
    stateMachineArn = service.resource('ImageProcessingStateMachine');
    quotasTableName = service.resource('UploadQuotasTable');
    apiUrl = `${description.portalUrl}/images`;
    person = await people(description).create();
    workDir = await mkdtemp(join(tmpdir(), 'image-pipeline-e2e-'));
  });

  after(async () => {
    aws?.destroy();
    await rm(workDir, { recursive: true, force: true });
  });

  /** An object put with the SDK, at a key of the layout the API hands out (uploads/<owner>/<uploadId>/<name>). */
  const upload = async (fileName: string, body: Uint8Array, owner = person) => {
    const key = `uploads/${owner.userId}/${randomUUID()}/${fileName}`;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return key;
  };

  /** The record of `key` once the workflow has finished with it. */
  const finished = async (key: string, ownerId = person.userId): Promise<ImageRecord> => {
    const record = await cloud.eventually(
      async () => {
        const { Items = [] } = await table.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'byOwner',
            KeyConditionExpression: 'ownerId = :owner',
            ExpressionAttributeValues: { ':owner': ownerId },
          }),
        );
        return (Items as ImageRecord[]).find((item) => item.key === key);
      },
      (item) => item !== undefined && TERMINAL.includes(item.status),
      180_000,
    );
    if (record === undefined || !TERMINAL.includes(record.status))
      throw new Error(`${key} did not finish: ${JSON.stringify(record)}`);
    return record;
  };

  const readObject = async (key: string) => {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await Body?.transformToByteArray()) ?? []);
  };

  const callApi = async (method: string, path: string, caller = person, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${caller.idToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, json: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };

  /** What the portal does: ask the API for a presigned POST, then send the file to S3 with it. */
  const uploadThroughApi = async (fileName: string, body: Uint8Array, owner = person) => {
    const asked = await callApi('POST', '/uploads', owner, {
      fileName,
      contentType: 'image/png',
      sizeBytes: body.length,
    });
    expect(asked.status, JSON.stringify(asked.json)).to.equal(201);
    const ticket = asked.json as CreateUploadResponse;
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.upload.fields)) form.append(name, value);
    form.append('file', new Blob([body], { type: 'image/png' }));
    const posted = await fetch(ticket.upload.url, { method: 'POST', body: form });
    expect(posted.status, await posted.text()).to.be.within(200, 299);
    return ticket;
  };

  /** The ObjectCreated notification S3 sent for `key`, as the trigger receives it. */
  const notificationOf = async (key: string) => {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return s3Event(bucket, key, head.ETag as string, head.VersionId);
  };

  /** The same notification again, straight to the trigger, as S3's at-least-once delivery may send it. */
  const deliverAgain = async (notification: ReturnType<typeof s3Event>) => {
    const lambda = new LambdaClient({
      region: cloud.description.region,
      credentials: cloud.description.credentials,
      endpoint: cloud.description.services['image-pipeline']?.lambdaEndpoint as string,
    });
    const replay = await lambda.send(
      new InvokeCommand({
        FunctionName: cloud.description.services['image-pipeline']?.functions.startProcessing as string,
        Payload: JSON.stringify(notification),
      }),
    );
    lambda.destroy();
    expect(replay.FunctionError, Buffer.from(replay.Payload ?? []).toString()).to.equal(undefined);
  };

  const executionsNamed = async (name: string) => {
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    return executions.filter((execution) => execution.name === name);
  };

  it('turns a photograph with EXIF into a READY record: exiftool’s values, a person, upright thumbnails', async () => {
    // A portrait photo stored sideways, as cameras do: the pixels are turned a quarter to the left
    // (640 x 480) and orientation 6 says "turn 90° clockwise to view", so it is seen (and must be
    // thumbnailed, and labelled) upright, 480 x 640.
    const photo = join(workDir, 'astronaut.jpg');
    await sharp(await sharp(PHOTOGRAPH).resize(480, 640, { fit: 'fill' }).toBuffer())
      .rotate(-90)
      .jpeg({ quality: 90 })
      .toFile(photo);
    exiftool(
      '-overwrite_original',
      '-Make=Hasselblad',
      '-Model=500 EL/M',
      '-DateTimeOriginal=1984:02:07 15:30:12',
      '-OffsetTimeOriginal=-06:00',
      '-ExposureTime=1/250',
      '-ISO=64',
      '-GPSLatitude=28.5721',
      '-GPSLatitudeRef=N',
      '-GPSLongitude=80.648',
      '-GPSLongitudeRef=W',
      '-Orientation#=6',
      photo,
    );
    const truth = JSON.parse(exiftool('-json', '-n', photo))[0] as Record<string, number | string>;

    const key = await upload('astronaut.jpg', await readFile(photo));
    const record = await finished(key);

    expect(record.status, JSON.stringify(record.failure)).to.equal('READY');
    // Dimensions as the photo is seen, after its orientation (shared/src/schemas/api/images.ts).
    expect(record.metadata).to.include({ format: 'jpeg', width: 480, height: 640, orientation: 6 });
    expect(record.metadata?.exif).to.include({
      make: truth.Make,
      model: truth.Model,
      exposureTime: truth.ExposureTime,
      iso: truth.ISO,
    });
    expect(record.metadata?.exif?.takenAt).to.equal('1984-02-07T15:30:12-06:00');
    expect(record.metadata?.gps?.latitude).to.equal(truth.GPSLatitude);
    expect(record.metadata?.gps?.longitude).to.equal(truth.GPSLongitude);
    expect(record.labels?.map((label) => label.name)).to.include('Person');

    const square = await sharp(await readObject(record.thumbnails?.square as string)).metadata();
    const preview = await sharp(await readObject(record.thumbnails?.preview as string)).metadata();
    expect([square.format, square.width, square.height]).to.deep.equal(['webp', 250, 250]);
    expect([preview.format, preview.width, preview.height]).to.deep.equal(['webp', 480, 640]);
    expect(preview.exif, 'metadata stripped').to.equal(undefined);

    // The API serves it to its owner, with working presigned links, and to nobody else.
    const got = await callApi('GET', `/${record.imageId}`);
    expect(got.status).to.equal(200);
    const view = (got.json as { image: ImageView }).image;
    expect(view.status).to.equal('READY');
    const thumbnail = await fetch(view.urls?.square as string);
    expect(thumbnail.status).to.equal(200);
    const stranger = await people(cloud.description).create();
    expect((await callApi('GET', `/${record.imageId}`, stranger)).status).to.equal(404);
  });

  it('records a text file named .jpg and an empty file as UNSUPPORTED, with the reason, at once', async () => {
    const text = await finished(await upload('notes.jpg', new TextEncoder().encode('not a photo\n')));
    const empty = await finished(await upload('empty.jpg', new Uint8Array()));

    expect(text.status).to.equal('UNSUPPORTED');
    expect(text.failure?.code).to.equal('UnsupportedFormat');
    expect(empty.status).to.equal('UNSUPPORTED');
    expect(empty.failure).to.deep.equal({ code: 'EmptyFile', message: 'The file is empty.' });
  });

  it('starts no second execution when S3 delivers the same event again', async () => {
    const body = await sharp({ create: { width: 120, height: 90, channels: 3, background: '#3a6' } })
      .png()
      .toBuffer();
    const key = await upload('replayed.png', body);
    const record = await finished(key);
    const notification = await notificationOf(key);

    await deliverAgain(notification);

    expect(await executionsNamed(record.imageId)).to.have.length(1);
    expect((await finished(key)).updatedAt).to.equal(record.updatedAt);
  });

  it('keeps an image its owner deleted deleted when S3 delivers its event again (no record left PROCESSING)', async () => {
    const body = await sharp({ create: { width: 90, height: 60, channels: 3, background: '#36a' } })
      .png()
      .toBuffer();
    const key = await upload('deleted-then-replayed.png', body);
    const record = await finished(key);
    const notification = await notificationOf(key);
    expect((await callApi('DELETE', `/${record.imageId}`)).status).to.equal(204);

    // A replayed (or redriven) notification: the trigger writes the record again, meets the
    // execution that already ran, and removes that record again.
    await deliverAgain(notification);

    const { Item } = await table.send(
      new GetCommand({ TableName: tableName, Key: { imageId: record.imageId }, ConsistentRead: true }),
    );
    expect(Item, 'no record, PROCESSING or other').to.equal(undefined);
    expect((await callApi('GET', `/${record.imageId}`)).status).to.equal(404);
    expect(await executionsNamed(record.imageId)).to.have.length(1);
  });

  it('ends the execution as FailureNotRecorded, after retries, when recording the failure fails too', async () => {
    // Every step refuses this job (its owner id is no identifier), RecordFailure included: its Retry
    // runs it again, then its Catch ends the execution, instead of leaving it to fail unrecorded.
    const input = {
      imageId: `broken-${randomUUID()}`,
      ownerId: 'not an id',
      bucket,
      key: 'uploads/x/y/z.png',
    };
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn, name: input.imageId, input: JSON.stringify(input) }),
    );

    const ended = await cloud.eventually(
      () => sfn.send(new DescribeExecutionCommand({ executionArn })),
      (execution) => execution.status !== 'RUNNING',
      60_000,
    );

    expect(ended).to.include({ status: 'FAILED', error: 'ImageFailureNotRecorded' });
    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: executionArn as string, maxResults: 1000 }),
    );
    const recordFailureAttempts = events.filter(
      (event) =>
        event.type === 'TaskScheduled' &&
        event.taskScheduledEventDetails?.parameters?.includes('recordFailure') === true,
    );
    expect(recordFailureAttempts.length, 'RecordFailure retried before the Catch').to.be.greaterThan(1);
  });

  it('keeps both photos when two uploads through the API have the same file name', async () => {
    const owner = await people(cloud.description).create();
    const colours = ['#c33', '#3c3'];
    const bodies = await Promise.all(
      colours.map((background) =>
        // Rekognition (and the local detector) refuse images under 80 pixels a side.
        sharp({ create: { width: 120, height: 90, channels: 3, background } })
          .png()
          .toBuffer(),
      ),
    );

    const tickets = [];
    for (const body of bodies) tickets.push(await uploadThroughApi('photo.png', body, owner));
    const records = [];
    for (const ticket of tickets) records.push(await finished(ticket.key, owner.userId));

    expect(new Set(tickets.map((ticket) => ticket.key)).size, 'two keys').to.equal(2);
    expect(records.map((record) => record.status)).to.deep.equal(['READY', 'READY']);
    // Each record's original is its own photo, still there (not replaced by the second upload).
    for (const [index, record] of records.entries()) {
      const got = await callApi('GET', `/${record.imageId}`, owner);
      const original = await fetch((got.json as { image: ImageView }).image.urls?.original as string);
      expect(original.status).to.equal(200);
      expect(Buffer.from(await original.arrayBuffer()).equals(bodies[index] as Buffer)).to.equal(true);
    }
    expect(tickets[1]?.quota.remaining).to.equal((tickets[0]?.quota.remaining ?? 0) - 1);
  });

  it('refuses an upload over the day’s quota with a 429 that says when it resets', async () => {
    const owner = await people(cloud.description).create();
    const pixel = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
      .png()
      .toBuffer();
    const first = await uploadThroughApi('one.png', pixel, owner);
    // The rest of the day's quota used up, as if as many uploads had been asked for.
    const day = new Date(Date.parse(first.quota.resetsAt) - 86_400_000).toISOString().slice(0, 10);
    await table.send(
      new UpdateCommand({
        TableName: quotasTableName,
        Key: { ownerId: owner.userId, day },
        UpdateExpression: 'SET uploads = :limit',
        ExpressionAttributeValues: { ':limit': first.quota.limit },
      }),
    );

    const refused = await callApi('POST', '/uploads', owner, {
      fileName: 'two.png',
      contentType: 'image/png',
      sizeBytes: pixel.length,
    });

    expect(refused.status).to.equal(429);
    expect(refused.json).to.have.nested.property('error.code', 'TOO_MANY_REQUESTS');
    expect(refused.json).to.have.deep.nested.property('error.details', {
      limit: first.quota.limit,
      resetsAt: first.quota.resetsAt,
    });
    expect(refused.json).to.have.nested.property('error.message').that.contains('It resets at midnight UTC');
    // Another person's day is their own.
    expect(
      (
        await callApi('POST', '/uploads', person, {
          fileName: 'p.png',
          contentType: 'image/png',
          sizeBytes: 9,
        })
      ).status,
    ).to.equal(201);
  });

  it('retries an injected DetectLabels failure, then records FAILED and leaves no thumbnail behind', async () => {
    const faults = `${cloud.description.endpoints.rekognition}/_local/faults`;
    const inject = await fetch(faults, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      // With a message that names a role and the account, as AWS's errors may.
      body: JSON.stringify({
        operation: 'DetectLabels',
        error: 'InternalServerError',
        message: 'Internal error in arn:aws:iam::123456789012:role/sp-images-local-detectLabels',
        times: 1000,
      }),
    });
    expect(inject.status).to.be.lessThan(300);
    try {
      const body = await sharp({ create: { width: 200, height: 150, channels: 3, background: '#a63' } })
        .jpeg()
        .toBuffer();
      const record = await finished(await upload('unlucky.jpg', body));

      expect(record.status).to.equal('FAILED');
      // A code and its fixed message: Rekognition's error text stays in recordFailure's log.
      expect(record.failure).to.deep.equal({
        code: 'ServiceUnavailable',
        message: 'A service that processing relies on was unavailable. Upload the image again later.',
      });
      const served = await callApi('GET', `/${record.imageId}`);
      expect((served.json as { image: ImageView }).image.failure).to.deep.equal(record.failure);
      expect(JSON.stringify(served.json)).to.not.match(/InternalServerError|123456789012|arn:/);
      const { KeyCount } = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `thumbnails/${person.userId}/${record.imageId}/`,
        }),
      );
      expect(KeyCount).to.equal(0);
      const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
      const execution = executions.find((candidate) => candidate.name === record.imageId);
      const { events = [] } = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn: execution?.executionArn as string, maxResults: 1000 }),
      );
      const failedAttempts = events.filter(
        (event) => event.type === 'TaskFailed' || event.type === 'LambdaFunctionFailed',
      );
      expect(failedAttempts.length, 'DetectLabels was retried before the Catch').to.be.greaterThan(1);
    } finally {
      await fetch(faults, { method: 'DELETE' });
    }
  });

  it('lists my images newest first and deletes one with its original and thumbnails', async () => {
    const owner = await people(cloud.description).create();
    const body = await sharp({ create: { width: 100, height: 100, channels: 4, background: '#0000' } })
      .png()
      .toBuffer();
    const first = await finished(await upload('first.png', body, owner), owner.userId);
    const second = await finished(await upload('second.png', body, owner), owner.userId);

    const listed = await callApi('GET', '', owner);
    expect(listed.status).to.equal(200);
    const ids = (listed.json as { images: ImageView[] }).images.map((image) => image.imageId);
    expect(ids).to.have.members([first.imageId, second.imageId]);

    expect((await callApi('DELETE', `/${first.imageId}`, person)).status, 'not the owner').to.equal(404);
    expect((await callApi('DELETE', `/${first.imageId}`, owner)).status).to.equal(204);
    expect((await callApi('GET', `/${first.imageId}`, owner)).status).to.equal(404);
    const { KeyCount } = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `thumbnails/${owner.userId}/${first.imageId}/` }),
    );
    expect(KeyCount).to.equal(0);
  });
});

function exiftool(...args: string[]): string {
  return execFileSync('exiftool', args, { encoding: 'utf8' });
}

function s3Event(bucket: string, key: string, eTag: string, versionId: string | undefined) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: {
            key: encodeURIComponent(key).replace(/%2F/g, '/'),
            eTag: eTag.replace(/"/g, ''),
            ...(versionId ? { versionId } : {}),
          },
        },
      },
    ],
  };
}
