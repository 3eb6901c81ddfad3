import { readFileSync } from 'node:fs';
import { type ImageRecord, imageRecordSchema } from '@serverless-patterns/shared/schemas/api';
import { expect } from 'chai';
import sharp from 'sharp';
import * as imageProcessing from '../../../src/core/image-processing';
import { FAILURE_MESSAGES, thumbnailKeys } from '../../../src/core/images';
import * as steps from '../../../src/core/workflow';
import { type AnalysedState, type ExtractedState, failureCodeOf } from '../../../src/core/workflow';
import { createFakeBucket, createFakeDetector, createFakeTable } from '../fakes';
import { COFFEE } from '../fixtures';

const NOW = new Date('2026-11-29T10:00:00.000Z');
const IMAGE_ID = '0123456789abcdef0123456789abcdef';
const JOB = {
  imageId: IMAGE_ID,
  ownerId: 'owner-1',
  bucket: 'images',
  key: 'uploads/owner-1/upload-1/coffee.png',
};
const PROCESSING: ImageRecord = {
  ...JOB,
  status: 'PROCESSING',
  createdAt: '2026-11-29T09:59:59.000Z',
  updatedAt: '2026-11-29T09:59:59.000Z',
};

const decoding = async () => imageProcessing;
const clock = () => NOW;

function setup(original: Uint8Array = readFileSync(COFFEE), records: ImageRecord[] = [PROCESSING]) {
  const objects = createFakeBucket({ [`images/${JOB.key}`]: original });
  const images = createFakeTable(records);
  const detector = createFakeDetector();
  // Every step of the state machine, each built from what it uses, as the composition builds them.
  const workflow = {
    ...steps.createMetadataExtractor({ objects, decoding }),
    ...steps.createLabeller({ objects, detector, decoding }),
    ...steps.createThumbnailer({ objects, decoding }),
    ...steps.createResultsRecorder({ images, objects, clock }),
    ...steps.createUnsupportedRecorder({ images, clock }),
    ...steps.createFailureRecorder({ images, objects, clock }),
  };
  return { objects, images, detector, workflow };
}

describe('image workflow', function () {
  this.timeout(20_000);

  it('runs the steps of a supported photo to READY, and the record stays valid', async () => {
    // Prepare
    const { objects, images, workflow } = setup();

    // Act: what the state machine does, in order.
    const extracted = await workflow.extractMetadata(JOB);
    const [labels, thumbnails] = await Promise.all([
      workflow.detectLabels(JOB),
      workflow.makeThumbnails(JOB),
    ]);
    const outcome = await workflow.storeResults({ ...extracted, analysis: [labels, thumbnails] });

    // Assess
    expect(extracted.extraction).to.have.property('supported', true);
    expect(outcome).to.equal('updated');
    const record = images.items.get(IMAGE_ID);
    expect(imageRecordSchema.parse(record)).to.deep.include({
      status: 'READY',
      labels: [{ name: 'Cup', confidence: 97.5 }],
      thumbnails: thumbnailKeys('owner-1', IMAGE_ID),
      updatedAt: NOW.toISOString(),
    });
    expect(record?.metadata).to.include({ format: 'png', width: 600, height: 400 });
    const square = objects.stored.get(`images/thumbnails/owner-1/${IMAGE_ID}/square.webp`);
    expect(await sharp(square).metadata()).to.include({ width: 250, height: 250, format: 'webp' });
  });

  it('does not download an object over the size limit and calls it UNSUPPORTED', async () => {
    const { objects } = setup(new Uint8Array(2048));
    const small = steps.createMetadataExtractor({ objects, decoding, maxObjectBytes: 1024 });

    const extracted = await small.extractMetadata(JOB);

    expect(extracted.extraction).to.deep.equal({
      supported: false,
      reason: { code: 'FileTooLarge', message: FAILURE_MESSAGES.FileTooLarge },
      detail: 'The file is 2048 bytes, over the limit of 1024.',
    });
    expect(objects.reads).to.deep.equal([]);
  });

  it('records an unsupported file with its code and fixed message; the decoder’s words stay in the state', async () => {
    const { images, workflow } = setup(Buffer.from('not an image'));

    const extracted = await workflow.extractMetadata(JOB);
    await workflow.recordUnsupported(extracted);

    expect(images.items.get(IMAGE_ID)).to.deep.include({
      status: 'UNSUPPORTED',
      failure: {
        code: 'UnsupportedFormat',
        message:
          'The file is not an image in a format that is processed (JPEG, PNG, WebP, GIF, TIFF or AVIF).',
      },
    });
    expect(extracted.extraction).to.have.property(
      'detail',
      'The file is not an image that can be read: Input buffer contains unsupported image format.',
    );
  });

  it('gives no labels and reads nothing when label detection is switched off', async () => {
    const { objects } = setup();
    const workflow = steps.createLabeller({ objects, detector: undefined, decoding });

    const result = await workflow.detectLabels(JOB);

    expect(result).to.deep.equal({ labels: [] });
    expect(objects.reads).to.deep.equal([]);
  });

  it('lets a Rekognition error propagate by name, for the state machine to retry', async () => {
    const { detector, workflow } = setup();
    detector.failWith = 'ThrottlingException';

    const error = await workflow.detectLabels(JOB).catch((caught: unknown) => caught);

    expect(error).to.have.property('name', 'ThrottlingException');
  });

  it('records a caught failure as FAILED with a code and its fixed message, never the error text', async () => {
    // Prepare: thumbnails were written, then label detection failed for good with an error that names
    // the function's role and the account, as AWS's AccessDenied messages do.
    const { objects, images, workflow } = setup();
    const extracted = await workflow.extractMetadata(JOB);
    await workflow.makeThumbnails(JOB);
    const cause = JSON.stringify({
      errorType: 'AccessDeniedException',
      errorMessage:
        'User: arn:aws:sts::123456789012:assumed-role/sp-images-prod-detectLabels-us-east-1/fn is not ' +
        'authorized to perform: rekognition:DetectLabels',
      trace: ['AccessDeniedException: User: arn:aws:sts::123456789012:assumed-role/...'],
    });

    // Act
    await workflow.recordFailure({ ...extracted, failure: { Error: 'AccessDeniedException', Cause: cause } });

    // Assess
    const record = images.items.get(IMAGE_ID);
    expect(record).to.deep.include({
      status: 'FAILED',
      failure: { code: 'ProcessingError', message: FAILURE_MESSAGES.ProcessingError },
    });
    expect(record?.metadata, 'the metadata read before the failure').to.include({
      format: 'png',
      width: 600,
    });
    expect(JSON.stringify(record)).to.not.match(/arn:|123456789012|AccessDenied/);
    expect([...objects.stored.keys()].filter((key) => key.includes('thumbnails/'))).to.deep.equal([]);
  });

  it('records FAILED before deleting the thumbnails: the image is FAILED even if their deletion fails', async () => {
    const { objects, images, workflow } = setup();
    objects.deleteObjects = async () => {
      throw Object.assign(new Error('Service Unavailable'), { name: 'ServiceUnavailable' });
    };

    const error = await workflow
      .recordFailure({ ...JOB, failure: { Error: 'States.Timeout', Cause: 'Task timed out' } })
      .catch((caught: unknown) => caught);

    expect(error, 'the step fails, for the state machine to retry it').to.have.property(
      'name',
      'ServiceUnavailable',
    );
    expect(images.items.get(IMAGE_ID)).to.deep.include({
      status: 'FAILED',
      failure: { code: 'ProcessingTimedOut', message: FAILURE_MESSAGES.ProcessingTimedOut },
    });
  });

  it('deletes the thumbnails of an image its owner deleted while it was processed', async () => {
    const { objects, workflow } = setup(readFileSync(COFFEE), []);
    const extracted: ExtractedState = await workflow.extractMetadata(JOB);
    const thumbnails = await workflow.makeThumbnails(JOB);
    const state: AnalysedState = { ...extracted, analysis: [{ labels: [] }, thumbnails] } as AnalysedState;

    const outcome = await workflow.storeResults(state);

    expect(outcome).to.equal('gone');
    expect([...objects.stored.keys()]).to.deep.equal([`images/${JOB.key}`]);
  });

  describe('failureCodeOf', () => {
    for (const [failure, code] of [
      [{ Error: 'States.Timeout', Cause: 'x'.repeat(1200) }, 'ProcessingTimedOut'],
      [
        { Error: 'Sandbox.Timedout', Cause: '{"errorMessage":"Task timed out after 60.00 seconds"}' },
        'ProcessingTimedOut',
      ],
      [
        {
          Error: 'Error',
          Cause: '{"errorMessage":"2026-11-29T10:00:00Z abc Task timed out after 60.02 seconds"}',
        },
        'ProcessingTimedOut',
      ],
      [{ Error: 'ThrottlingException', Cause: '{"errorMessage":"Rate exceeded"}' }, 'ServiceUnavailable'],
      [{ Error: 'InternalServerError', Cause: '{}' }, 'ServiceUnavailable'],
      [{ Error: 'Lambda.TooManyRequestsException', Cause: 'Rate Exceeded.' }, 'ServiceUnavailable'],
      [{ Error: 'AccessDeniedException', Cause: 'arn:aws:iam::123456789012:role/x' }, 'ProcessingError'],
      [{ Error: 'TypeError' }, 'ProcessingError'],
    ] as const) {
      it(`gives ${code} to ${failure.Error}`, () => {
        expect(failureCodeOf(failure)).to.equal(code);
      });
    }
  });
});
