import { type FieldIssue, ValidationError } from '@serverless-patterns/shared/errors';
import type { z } from 'zod';

/**
 * The value typed by the schema, or a ValidationError listing every field issue, in the shape that
 * shared/http's parsers give to the client (one entry per unknown key, dotted paths).
 */
export function validated<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.flatMap(toFieldIssues);
  const paths = [...new Set(details.map((issue) => issue.path))].join(', ');
  const message = paths === '(root)' ? `Invalid ${what}` : `Invalid ${what} at ${paths}`;
  throw new ValidationError(message, { cause: result.error, details });
}

function toFieldIssues(issue: z.core.$ZodIssue): FieldIssue[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: formatPath([...issue.path, key]), message: 'Unknown field' }));
  }
  return [{ path: formatPath(issue.path), message: issue.message }];
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.length === 0 ? '(root)' : path.map(String).join('.');
}
