import { expect } from 'chai';
import {
  AppError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  ServiceUnavailableError,
  TooManyRequestsError,
  toHttpError,
  UnauthorizedError,
  ValidationError,
} from '../../src/errors';

describe('errors', () => {
  it('chains the cause and keeps the code and details', () => {
    const cause = new Error('ConditionalCheckFailed');
    const error = new ConflictError('Rule already exists', { cause, details: { ruleId: 'r-1' } });

    expect(error).to.be.instanceOf(AppError).and.instanceOf(Error);
    expect(error.cause).to.equal(cause);
    expect(error.code).to.equal('CONFLICT');
    expect(error.details).to.deep.equal({ ruleId: 'r-1' });
  });

  it('gives a validation error an empty list of field issues by default', () => {
    expect(new ValidationError('Invalid').details).to.deep.equal([]);
  });

  for (const [error, name, code, statusCode] of [
    [new ValidationError('Bad input'), 'ValidationError', 'VALIDATION_FAILED', 400],
    [new UnauthorizedError('No token'), 'UnauthorizedError', 'UNAUTHORIZED', 401],
    [new ForbiddenError('Not yours'), 'ForbiddenError', 'FORBIDDEN', 403],
    [new NotFoundError('No such image'), 'NotFoundError', 'NOT_FOUND', 404],
    [new ConflictError('Already exists'), 'ConflictError', 'CONFLICT', 409],
    [new PayloadTooLargeError('Too big'), 'PayloadTooLargeError', 'PAYLOAD_TOO_LARGE', 413],
    [new TooManyRequestsError('Quota used up'), 'TooManyRequestsError', 'TOO_MANY_REQUESTS', 429],
    [new ServiceUnavailableError('Try again'), 'ServiceUnavailableError', 'SERVICE_UNAVAILABLE', 503],
  ] as const) {
    it(`maps ${name} to ${statusCode} with code ${code}`, () => {
      const result = toHttpError(error);

      expect(error.name).to.equal(name);
      expect(result.statusCode).to.equal(statusCode);
      expect(result.body.error).to.include({ code, message: error.message });
    });
  }

  it('returns the field issues of a validation error to the client', () => {
    const details = [{ path: 'location.city', message: 'Required' }];

    expect(
      toHttpError(new ValidationError('Invalid request body', { details })).body.error.details,
    ).to.deep.equal(details);
  });

  it('tells the client when a used-up allowance resets', () => {
    const details = { limit: 100, resetsAt: '2026-11-30T00:00:00.000Z' };

    expect(toHttpError(new TooManyRequestsError('Daily limit reached', { details }))).to.deep.equal({
      statusCode: 429,
      body: { error: { code: 'TOO_MANY_REQUESTS', message: 'Daily limit reached', details } },
    });
  });

  it('maps any other AppError to 500 with its own code', () => {
    const result = toHttpError(new AppError('DETECTOR_UNAVAILABLE', 'Label detection is unavailable'));

    expect(result).to.deep.equal({
      statusCode: 500,
      body: { error: { code: 'DETECTOR_UNAVAILABLE', message: 'Label detection is unavailable' } },
    });
  });

  for (const [label, thrown] of [
    ['an Error', new Error('connect ECONNREFUSED 10.0.0.12:5432')],
    ['a string', 'secret-token-123'],
    ['undefined', undefined],
  ] as const) {
    it(`hides the details of ${label} behind a generic 500`, () => {
      const result = toHttpError(thrown);

      expect(result).to.deep.equal({
        statusCode: 500,
        body: { error: { code: 'INTERNAL', message: 'Internal server error' } },
      });
    });
  }
});
