import { ValidationError } from '@serverless-patterns/shared/errors';
import { fieldIssues } from '@serverless-patterns/shared/http';
import type * as z from 'zod';

/**
 * The value typed by the schema, or a ValidationError listing every field issue, in the shape that
 * shared/http's parsers give to the client (one entry per unknown key, dotted paths).
 */
export function validated<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = fieldIssues(result.error);
  const paths = [...new Set(details.map((issue) => issue.path))].join(', ');
  const message = paths === '(root)' ? `Invalid ${what}` : `Invalid ${what} at ${paths}`;
  throw new ValidationError(message, { cause: result.error, details });
}
