import { ValidationError } from '@serverless-patterns/shared/errors';
import { identifier } from '@serverless-patterns/shared/schemas/common';
import { expect } from 'chai';
import * as z from 'zod';
import { validated } from '../../../src/core/validation';

const placeSchema = z.object({ name: z.string(), address: z.object({ city: z.string() }).strict() }).strict();

function failureOf(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, but the value was accepted');
}

describe('validated', () => {
  it('returns the value typed and cleaned by the schema', () => {
    expect(validated(z.object({ name: z.string().trim() }), { name: ' Lyon ' }, 'place')).to.deep.equal({
      name: 'Lyon',
    });
  });

  it('names every invalid field with its dotted path, as shared/http does for the client', () => {
    const error = failureOf(() => validated(placeSchema, { name: 7, address: { city: 1 } }, 'request body'));

    expect(error.message).to.equal('Invalid request body at name, address.city');
    expect(error.details.map((issue) => issue.path)).to.deep.equal(['name', 'address.city']);
  });

  it('lists each unknown field on its own', () => {
    const error = failureOf(() =>
      validated(placeSchema, { name: 'x', address: { city: 'y', zip: 1 }, id: 2 }, 'body'),
    );

    expect(error.details).to.deep.equal([
      { path: 'address.zip', message: 'Unknown field' },
      { path: 'id', message: 'Unknown field' },
    ]);
  });

  it('says what was invalid when the value itself is, without a path', () => {
    const error = failureOf(() => validated(identifier, 'a/b', 'device id'));

    expect(error.message).to.equal('Invalid device id');
    expect(error.details).to.have.length(1);
    expect(error.details[0]?.path).to.equal('(root)');
  });
});
