import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import {
  DetectFacesCommand,
  DetectLabelsCommand,
  type DetectLabelsCommandInput,
  type DetectLabelsCommandOutput,
  RekognitionClient,
  RekognitionServiceException,
} from '@aws-sdk/client-rekognition';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import sharp from 'sharp';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import { startRekognition } from '../../src/emulators/rekognition/start-rekognition';
import { startS3 } from '../../src/emulators/s3/s3rver';
import { clientConfig, credentials, makeDataDir, removeDataDir, stopAndAssertGone, timed } from './support';

// scikit-image's sample photograph (CI installs python3-skimage): an astronaut, CenterNet's "person".
const ASTRONAUT = '/usr/lib/python3/dist-packages/skimage/data/astronaut.png';
const Bucket = 'uploads';

const noise = (width: number, height: number) =>
  sharp({
    create: {
      width,
      height,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    // Stored, not compressed: noise is there to make the file as large as its pixels.
    .png({ compressionLevel: 0 })
    .toBuffer();

const plain = (width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: '#3366cc' } });

/** The SDK's error for a rejected call, or a failure if the call succeeded. */
const rejectionOf = async (call: Promise<unknown>): Promise<RekognitionServiceException> => {
  try {
    await call;
  } catch (error) {
    expect(error).to.be.instanceOf(RekognitionServiceException);
    return error as RekognitionServiceException;
  }
  expect.fail('the call succeeded');
};

const personOf = (output: DetectLabelsCommandOutput) =>
  output.Labels?.find((label) => label.Name === 'Person');

describe('Rekognition emulator (DetectLabels on CenterNet)', function () {
  this.timeout(180_000);
  let dataDir: string;
  let s3Emulator: RunningEmulator | undefined;
  let emulator: RunningEmulator | undefined;
  let s3: S3Client;
  let rekognition: RekognitionClient;
  let astronautPng: Buffer;
  let astronautJpeg: Buffer;

  const detect = (input: Partial<DetectLabelsCommandInput>, client = rekognition) =>
    client.send(new DetectLabelsCommand({ Image: undefined, ...input }));
  const detectBytes = (bytes: Uint8Array, input: Partial<DetectLabelsCommandInput> = {}) =>
    detect({ ...input, Image: { Bytes: bytes } });
  const detectObject = (Name: string, input: Partial<DetectLabelsCommandInput> = {}) =>
    detect({ ...input, Image: { S3Object: { Bucket, Name } } });
  const put = (Key: string, Body: Uint8Array | string) =>
    s3.send(new PutObjectCommand({ Bucket, Key, Body }));
  const faults = (method: string, body?: unknown) =>
    fetch(`${emulator?.endpoint}/_local/faults`, {
      method,
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  before(async () => {
    expect(existsSync(ASTRONAUT), `${ASTRONAUT} is missing: apt-get install python3-skimage`).to.equal(true);
    astronautPng = await readFile(ASTRONAUT);
    astronautJpeg = await sharp(astronautPng).jpeg({ quality: 90 }).toBuffer();
    dataDir = await makeDataDir('rekognition');
    s3Emulator = await startS3({ port: await findFreePort(), dataDir: `${dataDir}/s3`, credentials });
    s3 = new S3Client({ ...clientConfig(s3Emulator), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket }));
    emulator = await timed('rekognition (model loaded)', async () =>
      startRekognition({
        port: await findFreePort(),
        dataDir: `${dataDir}/rekognition`,
        s3Endpoint: (s3Emulator as RunningEmulator).endpoint,
        s3Credentials: credentials,
        region: 'us-east-1',
        waitForModel: true,
      }),
    );
    // One attempt: each error must reach the test as the service sent it, not after the SDK's retries.
    rekognition = new RekognitionClient({ ...clientConfig(emulator), maxAttempts: 1 });
  });

  after(async () => {
    rekognition?.destroy();
    s3?.destroy();
    await stopAndAssertGone(emulator);
    await stopAndAssertGone(s3Emulator);
    await removeDataDir(dataDir);
  });

  afterEach(async () => {
    if (emulator !== undefined) await faults('DELETE');
  });

  describe('labels', () => {
    it('finds the person in a photograph sent as Bytes, in AWS shape', async () => {
      const output = await detectBytes(astronautPng);

      const person = personOf(output);
      expect(person, JSON.stringify(output.Labels)).to.not.equal(undefined);
      expect(person?.Confidence).to.be.within(55, 100);
      expect(person?.Aliases).to.deep.equal([{ Name: 'Human' }]);
      expect(person?.Categories).to.deep.equal([{ Name: 'Person Description' }]);
      expect(person?.Parents).to.deep.equal([]);
      const box = person?.Instances?.[0]?.BoundingBox;
      // The astronaut fills most of the frame, from the top edge down.
      expect(box?.Width).to.be.within(0.3, 1);
      expect(box?.Height).to.be.within(0.5, 1);
      expect((box?.Left ?? -1) + (box?.Width ?? 2)).to.be.within(0, 1);
      expect((box?.Top ?? -1) + (box?.Height ?? 2)).to.be.within(0, 1);
      expect(person?.Instances?.[0]?.Confidence).to.equal(person?.Confidence);
      expect(output.LabelModelVersion).to.be.a('string');
      expect(output.$metadata.httpStatusCode).to.equal(200);
    });

    it('reads Image.S3Object through the S3 API: the same labels as the same bytes, JPEG too', async () => {
      await put('astronaut.png', astronautPng);
      await put('photos/astronaut.jpg', astronautJpeg);

      const fromS3 = await detectObject('astronaut.png');
      const fromBytes = await detectBytes(astronautPng);
      const fromJpeg = await detectObject('photos/astronaut.jpg');

      expect(fromS3.Labels).to.deep.equal(fromBytes.Labels);
      expect(personOf(fromJpeg)?.Confidence).to.be.within(55, 100);
    });

    it('returns only labels at or above MinConfidence, 55 by default', async () => {
      const byDefault = await detectBytes(astronautPng);
      const permissive = await detectBytes(astronautPng, { MinConfidence: 10 });
      const strict = await detectBytes(astronautPng, { MinConfidence: 100 });

      for (const label of byDefault.Labels ?? []) expect(label.Confidence).to.be.at.least(55);
      expect(permissive.Labels?.length).to.be.greaterThan(byDefault.Labels?.length ?? 0);
      for (const label of permissive.Labels ?? []) {
        expect(label.Confidence).to.be.at.least(10);
        for (const instance of label.Instances ?? []) expect(instance.Confidence).to.be.at.least(10);
      }
      expect(strict.Labels).to.deep.equal([]);
    });

    it('returns the MaxLabels labels of highest confidence, highest first', async () => {
      const all = await detectBytes(astronautPng, { MinConfidence: 10 });
      const top = await detectBytes(astronautPng, { MinConfidence: 10, MaxLabels: 1 });

      const confidences = (all.Labels ?? []).map((label) => label.Confidence ?? 0);
      expect(confidences).to.deep.equal([...confidences].sort((a, b) => b - a));
      expect(top.Labels).to.deep.equal(all.Labels?.slice(0, 1));
      expect(top.Labels?.[0]?.Name).to.equal('Person');
    });

    it('applies Settings.GeneralLabels filters', async () => {
      const output = await detectBytes(astronautPng, {
        MinConfidence: 10,
        Settings: { GeneralLabels: { LabelExclusionFilters: ['Person'] } },
      });

      expect(output.Labels?.map((label) => label.Name)).to.not.include('Person');
    });
  });

  describe('errors, as AWS names them', () => {
    const expectError = async (call: Promise<unknown>, name: string, status = 400) => {
      const error = await rejectionOf(call);
      expect(error.name, error.message).to.equal(name);
      expect(error.$metadata.httpStatusCode).to.equal(status);
      return error;
    };

    it('InvalidImageFormatException for a truncated JPEG, text named .jpg, 0 bytes and a GIF', async () => {
      await put('notes.jpg', 'these are notes, not a photograph');
      await put('empty.jpg', new Uint8Array(0));

      const truncated = astronautJpeg.subarray(0, Math.floor(astronautJpeg.length / 2));
      await expectError(detectBytes(truncated), 'InvalidImageFormatException');
      await expectError(detectObject('notes.jpg'), 'InvalidImageFormatException');
      await expectError(detectBytes(new Uint8Array(0)), 'InvalidImageFormatException');
      await expectError(detectObject('empty.jpg'), 'InvalidImageFormatException');
      await expectError(detectBytes(await plain(200, 200).gif().toBuffer()), 'InvalidImageFormatException');
    });

    it('ImageTooLargeException past 5 MB of Bytes, 15 MB of S3 object or 10,000 pixels a side', async () => {
      const overFiveMegabytes = await noise(1400, 1300);
      const overFifteenMegabytes = await noise(2300, 2300);
      expect(overFiveMegabytes.length).to.be.greaterThan(5 * 1024 * 1024);
      expect(overFifteenMegabytes.length).to.be.greaterThan(15 * 1024 * 1024);
      await put('huge.png', overFifteenMegabytes);
      // Under the S3 limit, so that only the Bytes limit can refuse it.
      await put('large.png', overFiveMegabytes);

      await expectError(detectBytes(overFiveMegabytes), 'ImageTooLargeException');
      await expectError(detectObject('huge.png'), 'ImageTooLargeException');
      await expectError(detectBytes(await plain(10_001, 100).png().toBuffer()), 'ImageTooLargeException');
      const fromS3 = await detectObject('large.png');
      expect(fromS3.$metadata.httpStatusCode).to.equal(200);
    });

    it('InvalidS3ObjectException for a missing object or bucket', async () => {
      await expectError(detectObject('no-such-photo.jpg'), 'InvalidS3ObjectException');
      await expectError(
        detect({ Image: { S3Object: { Bucket: 'no-such-bucket', Name: 'astronaut.png' } } }),
        'InvalidS3ObjectException',
      );
    });

    it('InvalidParameterException for both or neither image source, out-of-range options, a tiny image', async () => {
      await put('astronaut.png', astronautPng);

      await expectError(
        detect({ Image: { Bytes: astronautPng, S3Object: { Bucket, Name: 'astronaut.png' } } }),
        'InvalidParameterException',
      );
      await expectError(detect({ Image: {} }), 'InvalidParameterException');
      await expectError(detectBytes(astronautPng, { MaxLabels: -1 }), 'InvalidParameterException');
      await expectError(detectBytes(astronautPng, { MinConfidence: 101 }), 'InvalidParameterException');
      await expectError(detectBytes(astronautPng, { MinConfidence: -1 }), 'InvalidParameterException');
      // Rekognition's minimum is 80 pixels a side.
      await expectError(detectBytes(await plain(79, 200).png().toBuffer()), 'InvalidParameterException');
    });

    it('UnknownOperationException for operations other than DetectLabels', async () => {
      await expectError(
        rekognition.send(new DetectFacesCommand({ Image: { Bytes: astronautPng } })),
        'UnknownOperationException',
      );
    });
  });

  describe('fault injection (POST /_local/faults)', () => {
    const arm = async (fault: Record<string, unknown>) => {
      const response = await faults('POST', { operation: 'DetectLabels', ...fault });
      expect(response.status, await response.clone().text()).to.equal(201);
    };

    it('fails the next N calls: the SDK retries an InternalServerError and succeeds', async () => {
      const retrying = new RekognitionClient({
        ...clientConfig(emulator as RunningEmulator),
        maxAttempts: 3,
      });
      try {
        await arm({ error: 'InternalServerError', times: 2 });

        const output = await detect({ Image: { Bytes: astronautPng } }, retrying);

        expect(output.$metadata.attempts).to.equal(3);
        expect(personOf(output)).to.not.equal(undefined);
        const armed = (await (await faults('GET')).json()) as { faults: unknown[] };
        expect(armed.faults).to.deep.equal([]);
      } finally {
        retrying.destroy();
      }
    });

    it('makes the SDK raise the injected exception once its retries are spent', async () => {
      const retrying = new RekognitionClient({
        ...clientConfig(emulator as RunningEmulator),
        maxAttempts: 3,
      });
      try {
        await arm({ error: 'InternalServerError', times: 3 });

        const error = await rejectionOf(detect({ Image: { Bytes: astronautPng } }, retrying));

        expect(error.name).to.equal('InternalServerError');
        expect(error.$metadata).to.include({ httpStatusCode: 500, attempts: 3 });
      } finally {
        retrying.destroy();
      }
    });

    it('answers ThrottlingException with AWS status 500, or the statusCode asked for', async () => {
      await arm({ error: 'ThrottlingException' });
      await arm({ error: 'ThrottlingException', statusCode: 400, message: 'Slow down' });

      const first = await rejectionOf(detectBytes(astronautPng));
      const second = await rejectionOf(detectBytes(astronautPng));

      expect([first.name, first.$metadata.httpStatusCode]).to.deep.equal(['ThrottlingException', 500]);
      expect([second.name, second.$metadata.httpStatusCode, second.message]).to.deep.equal([
        'ThrottlingException',
        400,
        'Slow down',
      ]);
    });

    it('DELETE clears armed faults; a malformed fault is refused', async () => {
      await arm({ error: 'InternalServerError', times: 5 });

      expect((await faults('DELETE')).status).to.equal(204);
      const output = await detectBytes(astronautPng);
      const refused = await faults('POST', { operation: 'DetectLabels', error: 'NoSuchError' });

      expect(personOf(output)).to.not.equal(undefined);
      expect(refused.status).to.equal(400);
    });
  });

  describe('performance', () => {
    it('labels a warm image in under 3 s without blocking the caller', async () => {
      const delay = monitorEventLoopDelay({ resolution: 10 });
      const images = 5;
      delay.enable();
      const began = performance.now();
      for (let image = 0; image < images; image += 1) await detectBytes(astronautJpeg);
      const perImage = (performance.now() - began) / images;
      delay.disable();
      console.log(
        `      warm DetectLabels: ${Math.round(perImage)} ms per 512x512 image (Bytes, JPEG); ` +
          `caller's event loop max delay ${Math.round(delay.max / 1e6)} ms`,
      );

      expect(perImage).to.be.below(3_000);
      // Inference runs in the child: the caller's loop stays free however long the model takes.
      expect(delay.max / 1e6).to.be.below(perImage);
    });

    it('queues parallel requests and answers each', async () => {
      const outputs = await Promise.all([1, 2, 3].map(() => detectBytes(astronautPng)));

      for (const output of outputs) expect(personOf(output)).to.not.equal(undefined);
    });

    it('listens before the model is ready; a request that comes first waits for it', async () => {
      let early: RunningEmulator | undefined;
      let client: RekognitionClient | undefined;
      const childOutput: string[] = [];
      try {
        early = await timed('rekognition (listening)', async () =>
          startRekognition({
            port: await findFreePort(),
            dataDir: `${dataDir}/rekognition-early`,
            s3Endpoint: (s3Emulator as RunningEmulator).endpoint,
            s3Credentials: credentials,
            region: 'us-east-1',
            log: (line) => childOutput.push(line),
          }),
        );
        client = new RekognitionClient({ ...clientConfig(early), maxAttempts: 1 });
        const health = (await (await fetch(`${early.endpoint}/_local/health`)).json()) as {
          detector: string;
        };
        const began = performance.now();

        const output = await client.send(new DetectLabelsCommand({ Image: { Bytes: astronautPng } }));
        console.log(
          `      first request, sent while the model loaded, answered in ${Math.round(performance.now() - began)} ms`,
        );
        for (const line of childOutput.filter((output) => output.includes('loaded')))
          console.log(`      ${line}`);

        expect(health.detector).to.equal('loading');
        expect(personOf(output)).to.not.equal(undefined);
      } finally {
        client?.destroy();
        await stopAndAssertGone(early);
      }
    });
  });
});
