import { unmarshall } from '@aws-sdk/util-dynamodb';
import { expect } from 'chai';
import { asLambdaImage } from '../../../src/triggers/event-source-mapping/stream-images';

describe('stream images as Lambda receives them', () => {
  it('gives an empty map the type DynamoDB Local leaves out of stream records, at any depth', () => {
    // As DynamoDB Local's GetRecords answers for {m: {}, l: [], nested: {x: {}, y: [{}]}}.
    const image = asLambdaImage({
      m: {},
      l: { L: [] },
      nested: { M: { x: {}, y: { L: [{}] } } },
    } as never);

    expect(image).to.deep.equal({
      m: { M: {} },
      l: { L: [] },
      nested: { M: { x: { M: {} }, y: { L: [{ M: {} }] } } },
    });
    expect(unmarshall(image as never)).to.deep.equal({ m: {}, l: [], nested: { x: {}, y: [{}] } });
  });

  it('writes binaries in base64, as the wire and the Lambda event carry them', () => {
    const image = asLambdaImage({
      b: { B: Uint8Array.from([1, 2]) },
      bs: { BS: [Uint8Array.from([255]), Uint8Array.from([0, 1])] },
    } as never);

    expect(image).to.deep.equal({ b: { B: 'AQI=' }, bs: { BS: ['/w==', 'AAE='] } });
  });

  it('keeps every other type as it is', () => {
    const scalars = {
      s: { S: 'x' },
      n: { N: '1.5' },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1'] },
      nothing: { NULL: true },
      no: { BOOL: false },
    };

    expect(asLambdaImage(scalars as never)).to.deep.equal(scalars);
  });
});
