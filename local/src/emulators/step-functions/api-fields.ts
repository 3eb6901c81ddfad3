import { StepFunctionsApiError } from './errors';
import type { HistoryEvent } from './history';

/** Validating and paging the API's fields, shared by its operations. */

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#StepFunctions-StartExecution-request-name
const INVALID_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const isControlCharacter = (character: string) => {
  const code = character.codePointAt(0) ?? 0;
  return code <= 0x1f || (code >= 0x7f && code <= 0x9f);
};
export const isValidName = (name: unknown): name is string =>
  typeof name === 'string' &&
  name.length >= 1 &&
  name.length <= 80 &&
  !INVALID_NAME_CHARACTERS.test(name) &&
  ![...name].some(isControlCharacter);
export const STATE_MACHINE_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
export const EXECUTION_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:(?:execution|express):([^:]+):([^:]+)$/;

/** The item an ARN names, or the API's errors: InvalidArn for a malformed one, `missing` for an unknown one. */
export function found<T>(
  arn: unknown,
  pattern: RegExp,
  items: ReadonlyMap<string, T>,
  missing: string,
  what: string,
): T {
  if (typeof arn !== 'string' || !pattern.test(arn))
    throw new StepFunctionsApiError(
      'InvalidArn',
      `Invalid Arn: 'Resource type not valid in this context: ${String(arn)}'`,
    );
  const item = items.get(arn);
  if (item === undefined) throw new StepFunctionsApiError(missing, `${what}: '${arn}'`);
  return item;
}

export function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const copy: HistoryEvent = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (!key.endsWith('EventDetails') || value === null || typeof value !== 'object') continue;
    const {
      input: _input,
      output: _output,
      parameters: _parameters,
      ...rest
    } = value as Record<string, unknown>;
    copy[key] = rest;
  }
  return copy;
}

/** nextToken is the offset of the next page; maxResults 0 or absent means AWS's default of 100. */
export function page<T>(
  items: T[],
  maxResults: unknown,
  nextToken: unknown,
): { items: T[]; nextToken?: string } {
  const size = typeof maxResults === 'number' && maxResults > 0 ? Math.min(maxResults, 1000) : 100;
  const start = typeof nextToken === 'string' ? Number(nextToken) : 0;
  if (!Number.isInteger(start) || start < 0 || start > items.length)
    throw new StepFunctionsApiError('InvalidToken', `Invalid Token: '${String(nextToken)}'`);
  const end = start + size;
  return { items: items.slice(start, end), ...(end < items.length ? { nextToken: String(end) } : {}) };
}

export const MAP_RUN_ARN = /^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:mapRun:[^:]+:[^:]+$/;
