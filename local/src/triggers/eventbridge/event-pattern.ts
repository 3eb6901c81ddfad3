import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { InvalidEventPatternError } from './errors';

/**
 * EventBridge event patterns, also used by Lambda event source mapping filters:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */

type LeafMatcher = { kind: 'exists'; exists: boolean } | { kind: 'test'; test: (value: unknown) => boolean };

interface FieldMatcher {
  key: string;
  leaf?: LeafMatcher[];
  nested?: ObjectMatcher;
}

interface ObjectMatcher {
  fields: FieldMatcher[];
  anyOf?: ObjectMatcher[];
}

const compiledObjects = new WeakMap<object, ObjectMatcher>();
const compiledTexts = new Map<string, ObjectMatcher>();

/** Throws InvalidEventPatternError, naming the offending field, for a pattern EventBridge would refuse. */
export function validateEventPattern(pattern: unknown): void {
  compilePattern(pattern);
}

/** Whether `event` matches `pattern` (an object, or its JSON text as in a template's EventPattern). */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  return matchObject(compilePattern(pattern), event);
}

export interface FilterCriteriaOptions {
  /** The record field that holds the payload: `data` for Kinesis (base64), `body` for SQS. */
  dataField?: 'data' | 'body';
}

/**
 * Lambda event filtering: a record passes when any pattern matches. Kinesis `data` is base64 and is
 * matched once decoded; an SQS `body` is matched as JSON when it is JSON and as a string otherwise,
 * and a record whose payload format differs from the pattern's is dropped.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 */
export function matchesFilterCriteria(
  patterns: unknown[],
  record: unknown,
  options: FilterCriteriaOptions = {},
): boolean {
  validateFilterCriteria(patterns, options);
  if (patterns.length === 0) return true;
  const { dataField } = options;
  // Kinesis filters address the fields of the record's `kinesis` object (partitionKey, data...).
  const subject =
    dataField === 'data' && isRecord(record) && isRecord(record.kinesis) ? record.kinesis : record;
  if (dataField === undefined || !isRecord(subject)) {
    return patterns.some((pattern) => matchesEventPattern(pattern, subject));
  }
  const raw = subject[dataField];
  const text = typeof raw !== 'string' ? undefined : dataField === 'data' ? decodeBase64(raw) : raw;
  const json = text === undefined ? undefined : parseJsonContainer(text);
  return patterns.some((pattern) => {
    const dataPattern = toPatternObject(pattern)[dataField];
    if (dataPattern === undefined) return matchesEventPattern(pattern, subject);
    if (Array.isArray(dataPattern)) {
      return (
        json === undefined &&
        text !== undefined &&
        matchesEventPattern(pattern, { ...subject, [dataField]: text })
      );
    }
    return json !== undefined && matchesEventPattern(pattern, { ...subject, [dataField]: json });
  });
}

/** Lambda refuses, when the mapping is created, a Kinesis filter whose `data` pattern is not JSON. */
export function validateFilterCriteria(patterns: unknown[], options: FilterCriteriaOptions = {}): void {
  patterns.forEach((pattern, index) => {
    try {
      validateEventPattern(pattern);
    } catch (error) {
      if (!(error instanceof InvalidEventPatternError)) throw error;
      throw new InvalidEventPatternError(`Filter ${index + 1}: ${error.message}`, { cause: error });
    }
    if (options.dataField === 'data' && Array.isArray(toPatternObject(pattern).data)) {
      throw new InvalidEventPatternError(
        `Filter ${index + 1}: the pattern for Kinesis "data" must be a JSON object, not a list of plain values`,
      );
    }
  });
}

function compilePattern(pattern: unknown): ObjectMatcher {
  const known = typeof pattern === 'string' ? compiledTexts.get(pattern) : undefined;
  if (known !== undefined) return known;
  const object = toPatternObject(pattern);
  const matcher = compiledObjects.get(object) ?? compileObject(object, '');
  if (typeof pattern === 'string') compiledTexts.set(pattern, matcher);
  else compiledObjects.set(object, matcher);
  return matcher;
}

function toPatternObject(pattern: unknown): Record<string, unknown> {
  let value = pattern;
  if (typeof pattern === 'string') {
    try {
      value = JSON.parse(pattern);
    } catch (error) {
      throw new InvalidEventPatternError(`Event pattern is not valid JSON: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (!isRecord(value)) throw new InvalidEventPatternError('Event pattern must be a JSON object');
  return value;
}

function compileObject(pattern: Record<string, unknown>, path: string): ObjectMatcher {
  const entries = Object.entries(pattern);
  if (entries.length === 0) fail(path || '(root)', 'an object in a pattern must have at least one field');
  const fields: FieldMatcher[] = [];
  let anyOf: ObjectMatcher[] | undefined;
  for (const [key, value] of entries) {
    const fieldPath = path === '' ? key : `${path}.${key}`;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isRecord)) {
        fail(fieldPath, '"$or" takes a list of at least two patterns');
      }
      anyOf = value.map((alternative, index) => compileObject(alternative, `${fieldPath}[${index}]`));
    } else if (Array.isArray(value)) {
      if (value.length === 0) fail(fieldPath, 'a list of values must not be empty');
      fields.push({ key, leaf: value.map((element) => compileLeaf(element, fieldPath)) });
    } else if (isRecord(value)) {
      fields.push({ key, nested: compileObject(value, fieldPath) });
    } else {
      fail(fieldPath, `values to match must be in a list, as in [${JSON.stringify(value)}]`);
    }
  }
  return anyOf === undefined ? { fields } : { fields, anyOf };
}

function compileLeaf(element: unknown, path: string): LeafMatcher {
  if (element === null || ['string', 'number', 'boolean'].includes(typeof element)) {
    // Numbers compare by value: once parsed, 300 and 300.0 can no longer be told apart as AWS does.
    return { kind: 'test', test: (value) => value === element };
  }
  if (!isRecord(element)) fail(path, `${JSON.stringify(element)} is not a value or a comparison`);
  const entries = Object.entries(element);
  const [operator, argument] = entries[0] ?? [];
  if (entries.length !== 1 || operator === undefined) {
    fail(path, `a comparison has exactly one operator, got ${JSON.stringify(element)}`);
  }
  const where = `${path} (${operator})`;
  switch (operator) {
    case 'exists':
      if (typeof argument !== 'boolean') fail(where, 'takes true or false');
      return { kind: 'exists', exists: argument };
    case 'prefix':
    case 'suffix':
      return { kind: 'test', test: affixTest(operator, argument, where) };
    case 'equals-ignore-case': {
      const expected = foldCase(stringArgument(argument, where));
      return { kind: 'test', test: (value) => typeof value === 'string' && foldCase(value) === expected };
    }
    case 'wildcard': {
      const regex = wildcardRegex(stringArgument(argument, where), where);
      return { kind: 'test', test: (value) => typeof value === 'string' && regex.test(value) };
    }
    case 'anything-but': {
      const excluded = anythingButTest(argument, where);
      return { kind: 'test', test: (value) => !excluded(value) };
    }
    case 'numeric':
      return { kind: 'test', test: numericTest(argument, where) };
    case 'cidr':
      return { kind: 'test', test: cidrTest(argument, where) };
    default:
      return fail(path, `unrecognized match type "${operator}"`);
  }
}

function affixTest(operator: 'prefix' | 'suffix', argument: unknown, where: string) {
  const ignoreCase = isRecord(argument);
  const raw = ignoreCase ? singleOperand(argument, 'equals-ignore-case', where) : argument;
  const affix = stringArgument(raw, where);
  const expected = ignoreCase ? foldCase(affix) : affix;
  return (value: unknown) => {
    if (typeof value !== 'string') return false;
    const candidate = ignoreCase ? foldCase(value) : value;
    return operator === 'prefix' ? candidate.startsWith(expected) : candidate.endsWith(expected);
  };
}

/** What `anything-but` excludes; it matches every present value that is not excluded. */
function anythingButTest(argument: unknown, where: string): (value: unknown) => boolean {
  if (typeof argument === 'string' || typeof argument === 'number') return (value) => value === argument;
  if (Array.isArray(argument)) {
    const allStrings = argument.every((item) => typeof item === 'string');
    const allNumbers = argument.every((item) => typeof item === 'number');
    if (argument.length === 0 || !(allStrings || allNumbers)) {
      fail(where, 'takes a non-empty list of only strings or only numbers');
    }
    const excluded = new Set<unknown>(argument);
    return (value) => excluded.has(value);
  }
  if (!isRecord(argument)) fail(where, 'takes a string, a number, a list or one of prefix, suffix, wildcard');
  const [operator] = Object.keys(argument);
  switch (operator) {
    case 'prefix':
    case 'suffix':
      return affixTest(operator, stringArgument(singleOperand(argument, operator, where), where), where);
    case 'equals-ignore-case': {
      const excluded = new Set(stringList(singleOperand(argument, operator, where), where).map(foldCase));
      return (value) => typeof value === 'string' && excluded.has(foldCase(value));
    }
    case 'wildcard': {
      const regexes = stringList(singleOperand(argument, operator, where), where).map((item) =>
        wildcardRegex(item, where),
      );
      return (value) => typeof value === 'string' && regexes.some((regex) => regex.test(value));
    }
    default:
      return fail(where, `cannot be combined with ${JSON.stringify(argument)}`);
  }
}

const LOWER_BOUNDS = new Set(['>', '>=']);
const UPPER_BOUNDS = new Set(['<', '<=']);

function numericTest(argument: unknown, where: string): (value: unknown) => boolean {
  if (!Array.isArray(argument) || (argument.length !== 2 && argument.length !== 4)) {
    fail(where, 'takes [operator, number] or [lower operator, number, upper operator, number]');
  }
  const conditions: Array<[string, number]> = [];
  for (let index = 0; index < argument.length; index += 2) {
    const operator = argument[index];
    const operand = argument[index + 1];
    if (typeof operator !== 'string' || !['<', '<=', '=', '>', '>='].includes(operator)) {
      fail(where, `${JSON.stringify(operator)} is not one of <, <=, =, >, >=`);
    }
    if (typeof operand !== 'number' || !Number.isFinite(operand)) {
      fail(where, `${JSON.stringify(operand)} is not a number`);
    }
    conditions.push([operator, operand]);
  }
  const [first, second] = conditions;
  if (second !== undefined && first !== undefined) {
    const lower = LOWER_BOUNDS.has(first[0]) ? first : second;
    const upper = UPPER_BOUNDS.has(second[0]) ? second : first;
    if (!LOWER_BOUNDS.has(lower[0]) || !UPPER_BOUNDS.has(upper[0])) {
      fail(where, 'a range needs one lower bound (> or >=) and one upper bound (< or <=)');
    }
    if (lower[1] >= upper[1]) fail(where, `the range ${lower[1]}..${upper[1]} is empty`);
  }
  return (value) =>
    typeof value === 'number' &&
    conditions.every(([operator, operand]) => {
      switch (operator) {
        case '<':
          return value < operand;
        case '<=':
          return value <= operand;
        case '=':
          return value === operand;
        case '>':
          return value > operand;
        default:
          return value >= operand;
      }
    });
}

function cidrTest(argument: unknown, where: string): (value: unknown) => boolean {
  const text = stringArgument(argument, where);
  const [address = '', bits = '', ...rest] = text.split('/');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  const prefix = Number(bits);
  const maxPrefix = family === 'ipv4' ? 32 : 128;
  if (family === undefined || rest.length > 0 || !/^\d+$/.test(bits) || prefix > maxPrefix) {
    fail(where, `${JSON.stringify(text)} is not an IPv4 or IPv6 CIDR block`);
  }
  const block = new BlockList();
  block.addSubnet(address, prefix, family);
  const sameFamily = family === 'ipv4' ? isIPv4 : isIPv6;
  return (value) => typeof value === 'string' && sameFamily(value) && block.check(value, family);
}

/**
 * `*` stands for any run of characters; `\*` and `\\` are a literal star and backslash, and two
 * stars in a row are refused, as EventBridge does.
 */
function wildcardRegex(pattern: string, where: string): RegExp {
  let source = '';
  let previousWasStar = false;
  for (let index = 0; index < pattern.length; index += 1) {
    const character = pattern.charAt(index);
    if (character === '\\') {
      const next = pattern.charAt(index + 1);
      if (next !== '*' && next !== '\\')
        fail(where, `"\\" may only escape "*" or "\\" in ${JSON.stringify(pattern)}`);
      source += escapeRegex(next);
      index += 1;
      previousWasStar = false;
    } else if (character === '*') {
      if (previousWasStar) fail(where, `consecutive wildcard characters in ${JSON.stringify(pattern)}`);
      source += '.*';
      previousWasStar = true;
    } else {
      source += escapeRegex(character);
      previousWasStar = false;
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function matchObject(matcher: ObjectMatcher, value: unknown): boolean {
  // A field missing from the event, or not an object, has no fields: only `exists: false` matches under it.
  const objects = Array.isArray(value) ? value.flat(Number.POSITIVE_INFINITY).filter(isRecord) : [value];
  const candidates = objects.length === 0 ? [{}] : objects.map((object) => (isRecord(object) ? object : {}));
  return candidates.some(
    (object) =>
      matcher.fields.every((field) => matchField(field, object[field.key])) &&
      (matcher.anyOf === undefined || matcher.anyOf.some((alternative) => matchObject(alternative, object))),
  );
}

function matchField(field: FieldMatcher, value: unknown): boolean {
  if (field.nested !== undefined) return matchObject(field.nested, value);
  const leaves = leafValues(value);
  return (field.leaf ?? []).some((matcher) =>
    matcher.kind === 'exists' ? leaves.length > 0 === matcher.exists : leaves.some(matcher.test),
  );
}

/** Comparisons apply to leaves only; an array in the event matches when any of its elements does. */
function leafValues(value: unknown): unknown[] {
  if (value === undefined || isRecord(value)) return [];
  if (Array.isArray(value)) return value.flat(Number.POSITIVE_INFINITY).filter((item) => !isRecord(item));
  return [value];
}

function singleOperand(argument: Record<string, unknown>, operator: string, where: string): unknown {
  const keys = Object.keys(argument);
  if (keys.length !== 1 || keys[0] !== operator) {
    fail(where, `expected { "${operator}": ... }, got ${JSON.stringify(argument)}`);
  }
  return argument[operator];
}

function stringArgument(argument: unknown, where: string): string {
  if (typeof argument !== 'string') fail(where, `takes a string, got ${JSON.stringify(argument)}`);
  return argument;
}

function stringList(argument: unknown, where: string): string[] {
  if (typeof argument === 'string') return [argument];
  if (Array.isArray(argument) && argument.length > 0 && argument.every((item) => typeof item === 'string')) {
    return argument;
  }
  return fail(where, `takes a string or a non-empty list of strings, got ${JSON.stringify(argument)}`);
}

function fail(path: string, reason: string): never {
  throw new InvalidEventPatternError(`Event pattern is not valid. Reason: ${path}: ${reason}`);
}

function foldCase(value: string): string {
  return value.toUpperCase().toLowerCase();
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function decodeBase64(text: string): string {
  return Buffer.from(text, 'base64').toString('utf8');
}

/** Only objects and arrays count as JSON payloads; `42` or `"text"` are matched as plain strings. */
function parseJsonContainer(text: string): unknown {
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
