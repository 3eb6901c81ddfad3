import { DetectLabelsCommand, rekognition } from '@serverless-patterns/shared/clients/rekognition';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createLabelDetector, MAX_LABELS, MIN_CONFIDENCE } from '../../../src/adapters/label-detector';

describe('label detector adapter', () => {
  const mocks = mockClientsInEachTest({ rekognition });
  const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xd9]);

  it("sends the bytes with the pipeline's label limits, and gives the labels most confident first", async () => {
    mocks.rekognition.on(DetectLabelsCommand).resolves({
      Labels: [
        { Name: 'Cup', Confidence: 61.234567 },
        { Name: 'Person', Confidence: 99.87654 },
        // Rekognition declares every field optional: a label without a name or confidence is dropped.
        { Confidence: 80 },
        { Name: 'Table' },
      ],
    });

    const labels = await createLabelDetector().detect(jpeg);

    expect(labels).to.deep.equal([
      { name: 'Person', confidence: 99.88 },
      { name: 'Cup', confidence: 61.23 },
    ]);
    expect(commandsSent(mocks.rekognition)).to.deep.equal([
      {
        name: 'DetectLabelsCommand',
        input: { Image: { Bytes: jpeg }, MaxLabels: MAX_LABELS, MinConfidence: MIN_CONFIDENCE },
      },
    ]);
  });

  it('lets Rekognition errors through by name, for the state machine to retry', async () => {
    mocks.rekognition
      .on(DetectLabelsCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    const error = await createLabelDetector()
      .detect(jpeg)
      .catch((caught: unknown) => caught);

    expect(error).to.have.property('name', 'ThrottlingException');
  });
});
