import { S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { createImagesBucket } from '../../../src/adapters/images-bucket';
import { createProcessingWorkflow } from '../../../src/adapters/processing-workflow';

const client = new S3Client({
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
});

describe('images bucket adapter', () => {
  it('signs a POST policy limited to one key, one content type and 1 to maxBytes bytes, for 5 minutes', async () => {
    // Act: the real @aws-sdk/s3-presigned-post, offline (signing needs no request).
    const before = Date.now();
    const { url, fields } = await createImagesBucket({ client }).presignPost({
      bucket: 'images',
      key: 'uploads/owner-1/photo.jpg',
      contentType: 'image/png',
      maxBytes: 1000,
      expiresInSeconds: 300,
    });

    // Assess
    const policy = JSON.parse(Buffer.from(fields.Policy ?? '', 'base64').toString('utf8')) as {
      expiration: string;
      conditions: unknown[];
    };
    expect(url).to.contain('images');
    expect(fields).to.include({ key: 'uploads/owner-1/photo.jpg', 'Content-Type': 'image/png' });
    expect(policy.conditions).to.deep.include.members([
      ['content-length-range', 1, 1000],
      ['eq', '$Content-Type', 'image/png'],
      { key: 'uploads/owner-1/photo.jpg' },
      { bucket: 'images' },
    ]);
    const expiresIn = Date.parse(policy.expiration) - before;
    expect(expiresIn).to.be.within(299_000, 301_000);
  });

  it('presigns a GET of an object version for 5 minutes', async () => {
    const url = new URL(
      await createImagesBucket({ client }).presignGet(
        { bucket: 'images', key: 'uploads/owner-1/photo.jpg', versionId: 'v1' },
        300,
      ),
    );

    expect(url.pathname).to.match(/uploads\/owner-1\/photo\.jpg$/);
    expect(url.searchParams.get('versionId')).to.equal('v1');
    expect(url.searchParams.get('X-Amz-Expires')).to.equal('300');
  });
});

describe('processing workflow adapter', () => {
  function fakeClient(failure?: string) {
    const sent: { input: Record<string, unknown> }[] = [];
    return {
      sent,
      client: {
        send: async (command: { input: Record<string, unknown> }) => {
          sent.push(command);
          if (failure) throw Object.assign(new Error(failure), { name: failure });
          return { executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:m:e' };
        },
      } as unknown as Parameters<typeof createProcessingWorkflow>[0]['client'],
    };
  }
  const job = { imageId: 'abc', ownerId: 'owner-1', bucket: 'images', key: 'uploads/owner-1/a.jpg' };

  it('starts an execution named after the image with the job as input', async () => {
    const { client: sfn, sent } = fakeClient();

    const outcome = await createProcessingWorkflow({ client: sfn, stateMachineArn: 'arn:sm' }).start(
      'abc',
      job,
    );

    expect(outcome).to.equal('started');
    expect(sent[0]?.input).to.deep.equal({
      stateMachineArn: 'arn:sm',
      name: 'abc',
      input: JSON.stringify(job),
    });
  });

  it('counts ExecutionAlreadyExists (a replay) as success', async () => {
    const { client: sfn } = fakeClient('ExecutionAlreadyExists');

    expect(
      await createProcessingWorkflow({ client: sfn, stateMachineArn: 'arn:sm' }).start('abc', job),
    ).to.equal('exists');
  });

  it('lets other errors fail the invocation (S3 retries it, then parks it in the failure queue)', async () => {
    const { client: sfn } = fakeClient('StateMachineDoesNotExist');

    const error = await createProcessingWorkflow({ client: sfn, stateMachineArn: 'arn:sm' })
      .start('abc', job)
      .catch((caught: unknown) => caught);

    expect(error).to.have.property('name', 'StateMachineDoesNotExist');
  });
});
