export interface AppErrorOptions extends ErrorOptions {
  details?: unknown;
}

export interface FieldIssue {
  path: string;
  message: string;
}

// Names are string literals rather than `new.target.name` because bundling with minification renames classes.
export class AppError extends Error {
  override readonly name: string = 'AppError';
  readonly code: string;
  readonly details?: unknown;

  constructor(code: string, message: string, options: AppErrorOptions = {}) {
    super(message, options);
    this.code = code;
    if (options.details !== undefined) this.details = options.details;
  }
}

export class ValidationError extends AppError {
  override readonly name: string = 'ValidationError';
  declare readonly details: readonly FieldIssue[];

  constructor(message: string, options: ErrorOptions & { details?: readonly FieldIssue[] } = {}) {
    super('VALIDATION_FAILED', message, { ...options, details: options.details ?? [] });
  }
}

export class NotFoundError extends AppError {
  override readonly name: string = 'NotFoundError';

  constructor(message: string, options?: AppErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

export class ConflictError extends AppError {
  override readonly name: string = 'ConflictError';

  constructor(message: string, options?: AppErrorOptions) {
    super('CONFLICT', message, options);
  }
}

export class ForbiddenError extends AppError {
  override readonly name: string = 'ForbiddenError';

  constructor(message: string, options?: AppErrorOptions) {
    super('FORBIDDEN', message, options);
  }
}

export class UnauthorizedError extends AppError {
  override readonly name: string = 'UnauthorizedError';

  constructor(message: string, options?: AppErrorOptions) {
    super('UNAUTHORIZED', message, options);
  }
}

export class PayloadTooLargeError extends AppError {
  override readonly name: string = 'PayloadTooLargeError';

  constructor(message: string, options?: AppErrorOptions) {
    super('PAYLOAD_TOO_LARGE', message, options);
  }
}

/**
 * A well-formed request that cannot be carried out as asked, with a code of its own that says why
 * (a query over its limits: `BYTES_SCANNED_LIMIT_EXCEEDED`). HTTP 422.
 */
export class UnprocessableError extends AppError {
  override readonly name: string = 'UnprocessableError';
}

/**
 * The caller has used up an allowance (a quota, a rate): retrying at once cannot help. `details`
 * should say when it can (for example `{ resetsAt }`).
 */
export class TooManyRequestsError extends AppError {
  override readonly name: string = 'TooManyRequestsError';

  constructor(message: string, options?: AppErrorOptions) {
    super('TOO_MANY_REQUESTS', message, options);
  }
}

/**
 * A service this one depends on refused the work for now (throttled, unavailable) and retrying did not
 * help: the caller may send it again later. `details` should say what was not done.
 */
export class ServiceUnavailableError extends AppError {
  override readonly name: string = 'ServiceUnavailableError';

  constructor(message: string, options?: AppErrorOptions) {
    super('SERVICE_UNAVAILABLE', message, options);
  }
}

export interface HttpError {
  statusCode: number;
  body: { error: { code: string; message: string; details?: unknown } };
}

const STATUS_CODES: ReadonlyArray<readonly [abstract new (...args: never[]) => AppError, number]> = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [ForbiddenError, 403],
  [NotFoundError, 404],
  [ConflictError, 409],
  [PayloadTooLargeError, 413],
  [UnprocessableError, 422],
  [TooManyRequestsError, 429],
  [ServiceUnavailableError, 503],
];

export function toHttpError(error: unknown): HttpError {
  if (!(error instanceof AppError)) {
    // Unknown errors may carry internals (SQL, ARNs, stack traces); the caller logs them, the client gets nothing.
    return { statusCode: 500, body: { error: { code: 'INTERNAL', message: 'Internal server error' } } };
  }
  const statusCode = STATUS_CODES.find(([type]) => error instanceof type)?.[1] ?? 500;
  const { code, message, details } = error;
  return {
    statusCode,
    body: { error: details === undefined ? { code, message } : { code, message, details } },
  };
}
