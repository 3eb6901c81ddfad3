import { Readable } from 'node:stream';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { expect } from 'chai';
import { findFreePort } from '../../src/emulators/emulator';
import { type RunningS3Emulator, startS3 } from '../../src/emulators/s3/s3rver';
import { clientConfig, credentials, makeDataDir, removeDataDir, stopAndAssertGone, timed } from './support';

const nextEvent = (emulator: RunningS3Emulator) =>
  new Promise<S3Event>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no S3 event within 5 s')), 5_000);
    const unsubscribe = emulator.onObjectEvent((event) => {
      clearTimeout(timer);
      unsubscribe();
      resolve(event);
    });
  });

describe('S3 emulator (s3rver)', function () {
  this.timeout(60_000);
  const Bucket = 'images';
  let dataDir: string;
  let emulator: RunningS3Emulator | undefined;
  let s3: S3Client;

  const start = async () => {
    emulator = await timed('s3', async () => startS3({ port: await findFreePort(), dataDir, credentials }));
    // What AWS_REQUEST_CHECKSUM_CALCULATION / AWS_RESPONSE_CHECKSUM_VALIDATION=WHEN_REQUIRED do for the product.
    s3 = new S3Client({
      ...clientConfig(emulator),
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    return emulator;
  };
  const read = async (Key: string) => {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket, Key }));
    return Body?.transformToString();
  };

  before(async () => {
    dataDir = await makeDataDir('s3');
    await start();
    await s3.send(new CreateBucketCommand({ Bucket }));
  });

  after(async () => {
    s3?.destroy();
    await stopAndAssertGone(emulator);
    await removeDataDir(dataDir);
  });

  it('stores objects and notifies PutObject as S3 does, key URL-encoded', async () => {
    const running = emulator as RunningS3Emulator;
    const event = nextEvent(running);

    await s3.send(new PutObjectCommand({ Bucket, Key: 'uploads/red flower+1.jpg', Body: 'petals' }));

    expect(await read('uploads/red flower+1.jpg')).to.equal('petals');
    const [record] = (await event).Records;
    expect(record?.eventName).to.equal('ObjectCreated:Put');
    expect(record?.s3.bucket).to.include({ name: Bucket, arn: 'arn:aws:s3:::images' });
    expect(record?.s3.object).to.include({ key: 'uploads/red+flower%2B1.jpg', size: 6 });
    expect(decodeURIComponent((record?.s3.object.key ?? '').replaceAll('+', ' '))).to.equal(
      'uploads/red flower+1.jpg',
    );
  });

  it('stores a streamed body intact', async () => {
    const Body = Readable.from([Buffer.from('streamed '), Buffer.from('content')]);

    await s3.send(new PutObjectCommand({ Bucket, Key: 'stream.txt', Body, ContentLength: 16 }));

    expect(await read('stream.txt')).to.equal('streamed content');
  });

  it('still answers the PutObject when an event listener fails', async () => {
    const running = emulator as RunningS3Emulator;
    const unsubscribe = running.onObjectEvent(() => {
      throw new Error('listener bug');
    });
    try {
      await s3.send(new PutObjectCommand({ Bucket, Key: 'after-failure.txt', Body: 'ok' }));

      expect(await read('after-failure.txt')).to.equal('ok');
    } finally {
      unsubscribe();
    }
  });

  it('keeps buckets and objects across a restart with the same dataDir', async () => {
    s3.destroy();
    await stopAndAssertGone(emulator);
    await start();

    expect(await read('uploads/red flower+1.jpg')).to.equal('petals');
  });
});
