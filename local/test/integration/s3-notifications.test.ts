import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { expect } from 'chai';
import { fixtureSuite, type Invocation, queueInbox, uniqueId, waitFor } from './support';

const keyOf = (invocation: Invocation) => (invocation as unknown as S3Event).Records[0]?.s3.object.key ?? '';

describe('local cloud: S3 event notifications', () => {
  const fixture = fixtureSuite();
  const bucket = () => fixture.resource('FixtureBucket');

  const put = (key: string, body: string) =>
    fixture.aws.s3.send(new PutObjectCommand({ Bucket: bucket(), Key: key, Body: body }));

  // The key is URL-encoded as HTML forms are ("red flower.jpg" becomes "red+flower.jpg"), and
  // ObjectRemoved events carry no size nor eTag (s3-delete.json).
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
  // Prefix and suffix rules both have to match.
  // https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
  it('delivers ObjectCreated under in/ with .txt, URL-encoded, and nothing outside the filter', async () => {
    const id = uniqueId('s3');
    const body = 'hello, notifications';
    // Objects that must not be notified go first: by the time the wanted one arrives, they would have too.
    await put(`out/${id}/a.txt`, body);
    await put(`x/in/${id}/a.txt`, body);
    await put(`in/${id}/a.csv`, body);

    const { ETag } = await put(`in/${id}/a b=c.txt`, body);

    const invocations = await waitFor(
      'the ObjectCreated notification',
      () => fixture.cloud.recordings('recordS3'),
      (all) => all.some((invocation) => keyOf(invocation) === `in/${id}/a+b%3Dc.txt`),
    );
    const ours = invocations.filter((invocation) => keyOf(invocation).includes(id));
    expect(ours.map(keyOf)).to.deep.equal([`in/${id}/a+b%3Dc.txt`]);
    const [record] = (ours[0] as unknown as S3Event).Records;
    expect(record?.eventSource).to.equal('aws:s3');
    expect(record?.eventName).to.equal('ObjectCreated:Put');
    expect(record?.s3.bucket).to.include({ name: bucket(), arn: `arn:aws:s3:::${bucket()}` });
    expect(record?.s3.object.size).to.equal(Buffer.byteLength(body));
    expect(record?.s3.object.eTag).to.equal(ETag?.replaceAll('"', ''));
  });

  it('delivers ObjectRemoved:Delete under in/ without size nor eTag', async () => {
    const id = uniqueId('s3-delete');
    const key = `in/${id}/a b=c.txt`;
    await put(key, 'soon gone');
    await waitFor(
      'the ObjectCreated notification',
      () => fixture.cloud.recordings('recordS3'),
      (all) => all.some((invocation) => keyOf(invocation).includes(id)),
    );

    await fixture.aws.s3.send(new DeleteObjectCommand({ Bucket: bucket(), Key: key }));

    const invocations = await waitFor(
      'the ObjectRemoved notification',
      () => fixture.cloud.recordings('recordS3'),
      (all) =>
        all.some(
          (invocation) =>
            keyOf(invocation).includes(id) &&
            (invocation as unknown as S3Event).Records[0]?.eventName.startsWith('ObjectRemoved'),
        ),
    );
    const removed = invocations
      .map((invocation) => (invocation as unknown as S3Event).Records[0])
      .filter((record) => record?.s3.object.key.includes(id) && record.eventName.startsWith('ObjectRemoved'));
    expect(removed).to.have.length(1);
    expect(removed[0]?.eventName).to.equal('ObjectRemoved:Delete');
    expect(removed[0]?.s3.object.key).to.equal(`in/${id}/a+b%3Dc.txt`);
    expect(removed[0]?.s3.object).to.not.have.any.keys('size', 'eTag');
  });

  // Lambda retries a failed asynchronous invocation MaximumRetryAttempts times (1 here), then sends an
  // invocation record to the on-failure destination.
  // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
  // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
  it('retries a failing asynchronous invocation once, then sends its record to the on-failure queue', async () => {
    const id = uniqueId('please-throw');
    const key = `fail/${id}.txt`;
    const failuresQueue = fixture.resource('AsyncFailuresQueue');

    await put(key, JSON.stringify({ throw: true }));

    const failures = await waitFor(
      'the on-failure destination record',
      () => queueInbox(fixture.aws.sqs, failuresQueue),
      (all) => all.some((record) => JSON.stringify(record.requestPayload ?? null).includes(id)),
    );
    const record = failures.find((candidate) => JSON.stringify(candidate.requestPayload).includes(id));
    const invocations = (await fixture.cloud.recordings('recordAsync')).filter((invocation) =>
      keyOf(invocation).includes(id),
    );
    expect(invocations, 'invocations: 1 + MaximumRetryAttempts').to.have.length(2);
    expect(invocations[1]).to.deep.equal(invocations[0]);
    expect(record).to.include({ version: '1.0' });
    expect(Number.isNaN(Date.parse(String(record?.timestamp)))).to.equal(false);
    expect(record?.requestContext).to.include({
      functionArn: `arn:aws:lambda:us-east-1:000000000000:function:${fixture.functionName('recordAsync')}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 2,
    });
    expect(record?.requestContext).to.have.property('requestId').that.is.a('string');
    expect(record?.requestPayload).to.deep.equal(invocations[0]);
    expect(record?.responseContext).to.deep.equal({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    expect(record?.responsePayload).to.have.property('errorMessage').that.includes('please-throw');
  });
});
