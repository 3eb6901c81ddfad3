import { Readable } from 'node:stream';
import { GetObjectCommand, type GetObjectCommandOutput, S3Client } from '@aws-sdk/client-s3';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createImagesBucket } from '../../../src/adapters/images-bucket';

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

  describe('readAtMost', () => {
    const mocks = mockClientsInEachTest({ client });
    /** A GetObject answer whose body is a Node.js stream, as the SDK gives it. */
    const respond = (bytes: number) => {
      const content = new Uint8Array(bytes).fill(1);
      const body = Object.assign(Readable.from([content]), { transformToByteArray: async () => content });
      mocks.client
        .on(GetObjectCommand)
        .resolves({ ContentLength: bytes, Body: body as unknown as GetObjectCommandOutput['Body'] });
      return body;
    };
    const original = { bucket: 'images', key: 'uploads/owner-1/upload-1/photo.jpg', versionId: 'v1' };

    it('reads an object up to the limit with one GET of its version', async () => {
      respond(1000);

      const read = await createImagesBucket({ client }).readAtMost(original, 1000);

      expect(read).to.have.property('bytes').with.length(1000);
      expect(commandsSent(mocks.client)).to.deep.equal([
        {
          name: 'GetObjectCommand',
          input: { Bucket: 'images', Key: 'uploads/owner-1/upload-1/photo.jpg', VersionId: 'v1' },
        },
      ]);
    });

    it('gives only the size of an object over the limit, and closes its body unread', async () => {
      const body = respond(1001);

      const read = await createImagesBucket({ client }).readAtMost(original, 1000);

      expect(read).to.deep.equal({ oversize: 1001 });
      expect(body.destroyed).to.equal(true);
    });
  });
});
