/**
 * Where Firehose writes an object: `<evaluated prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`,
 * the prefix's `!{namespace:value}` expressions evaluated when the object is written.
 * https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
 * https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html#s3-object-name
 */
import { randomUUID } from 'node:crypto';

/** What `!{firehose:error-output-type}` evaluates to; the S3 destination only produces this one. */
export type ErrorOutputType = 'processing-failed';

export interface PrefixValues {
  /** The approximate arrival of the oldest record of the object: every `!{timestamp:...}` uses it. */
  timestamp: Date;
  /** Only in an ErrorOutputPrefix. */
  errorOutputType?: ErrorOutputType;
  /** `metadata.partitionKeys` the transformation returned for the object's records. */
  partitionKeys?: Readonly<Record<string, string>>;
  /** Eleven random characters, a new string each time it is asked. */
  randomString?: () => string;
}

export class PrefixError extends Error {
  override readonly name = 'PrefixError';
}

const EXPRESSION = /!\{([A-Za-z]+):([^}]*)\}/g;
/** What Firehose appends to a prefix without a timestamp expression. */
const DEFAULT_TIME_PREFIX = 'yyyy/MM/dd/HH/';

export const randomString = (): string => randomUUID().replaceAll('-', '').slice(0, 11);

/**
 * The prefixes as Firehose will evaluate them, after its semantic rules: a Prefix with no timestamp
 * expression gets `yyyy/MM/dd/HH/` appended (not with dynamic partitioning, whose prefix is made of
 * the record's own keys); an ErrorOutputPrefix left out is `<Prefix><error-output-type>/yyyy/MM/dd/HH/`,
 * which Firehose allows only when the Prefix has no expression. Invalid combinations throw, with
 * the rule they break.
 */
export function effectivePrefixes(
  prefix: string | undefined,
  errorOutputPrefix: string | undefined,
  options: { dynamicPartitioning: boolean; backup?: boolean },
): { prefix: string; errorOutputPrefix: string } {
  const given = prefix ?? '';
  const expressions = expressionsOf(given);
  for (const [namespace, value] of expressions) {
    if (namespace === 'firehose' && value === 'error-output-type')
      throw new PrefixError('Prefix cannot contain !{firehose:error-output-type}');
  }
  const partitioned = expressions.some(([namespace]) => namespace.startsWith('partitionKeyFrom'));
  if (partitioned && !options.dynamicPartitioning)
    throw new PrefixError('partitionKeyFrom expressions need DynamicPartitioningConfiguration.Enabled');
  if (options.dynamicPartitioning && !partitioned)
    throw new PrefixError(
      'with dynamic partitioning, Prefix must use at least one partitionKeyFrom expression',
    );
  const hasTimestamp = expressions.some(([namespace]) => namespace === 'timestamp');
  const effective = hasTimestamp || partitioned ? given : `${given}!{timestamp:${DEFAULT_TIME_PREFIX}}`;
  // A backup's ErrorOutputPrefix is ignored: it only ever receives source records.
  if (options.backup) return { prefix: effective, errorOutputPrefix: effective };
  if (errorOutputPrefix === undefined || errorOutputPrefix === '') {
    if (expressions.length > 0 || options.dynamicPartitioning)
      throw new PrefixError('ErrorOutputPrefix is required when Prefix contains expressions');
    return {
      prefix: effective,
      errorOutputPrefix: `${given}!{firehose:error-output-type}/!{timestamp:${DEFAULT_TIME_PREFIX}}`,
    };
  }
  const errorExpressions = expressionsOf(errorOutputPrefix);
  if (
    errorExpressions.length > 0 &&
    !errorExpressions.some(([namespace, value]) => namespace === 'firehose' && value === 'error-output-type')
  )
    throw new PrefixError('ErrorOutputPrefix with expressions must include !{firehose:error-output-type}');
  return { prefix: effective, errorOutputPrefix };
}

/** The names of the `partitionKeyFromLambda` keys a prefix uses. */
export function lambdaPartitionKeys(prefix: string): string[] {
  return expressionsOf(prefix)
    .filter(([namespace]) => namespace === 'partitionKeyFromLambda')
    .map(([, value]) => value);
}

/** Evaluates every `!{namespace:value}` of a prefix; a value it cannot give throws PrefixError. */
export function evaluatePrefix(template: string, values: PrefixValues): string {
  const evaluated = template.replace(EXPRESSION, (_expression, namespace: string, value: string) => {
    switch (namespace) {
      case 'timestamp':
        return formatTimestamp(value, values.timestamp);
      case 'firehose':
        if (value === 'random-string') return (values.randomString ?? randomString)();
        if (value === 'error-output-type' && values.errorOutputType !== undefined)
          return values.errorOutputType;
        throw new PrefixError(`!{firehose:${value}} cannot be evaluated here`);
      case 'partitionKeyFromLambda': {
        const key = values.partitionKeys?.[value];
        if (key === undefined) throw new PrefixError(`the record has no partition key ${value}`);
        return key;
      }
      default:
        throw new PrefixError(
          `!{${namespace}:${value}} is not a prefix expression the local Firehose evaluates`,
        );
    }
  });
  if (evaluated.includes('!{')) throw new PrefixError(`"!{" outside an expression in ${template}`);
  // https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html#prefix-rules
  if (evaluated.length > 512) throw new PrefixError('an evaluated prefix is longer than 512 characters');
  return evaluated;
}

/** `<stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>`, after the evaluated prefix. */
export function objectKey(
  evaluatedPrefix: string,
  object: { streamName: string; version: number; timestamp: Date; extension: string; uuid?: string },
): string {
  const time = formatTimestamp('yyyy-MM-dd-HH-mm-ss', object.timestamp);
  return `${evaluatedPrefix}${object.streamName}-${object.version}-${time}-${object.uuid ?? randomUUID()}${object.extension}`;
}

const FIELDS: Record<string, (date: Date) => string> = {
  yyyy: (date) => String(date.getUTCFullYear()).padStart(4, '0'),
  uuuu: (date) => String(date.getUTCFullYear()).padStart(4, '0'),
  yy: (date) => String(date.getUTCFullYear() % 100).padStart(2, '0'),
  MM: (date) => String(date.getUTCMonth() + 1).padStart(2, '0'),
  M: (date) => String(date.getUTCMonth() + 1),
  dd: (date) => String(date.getUTCDate()).padStart(2, '0'),
  d: (date) => String(date.getUTCDate()),
  DDD: (date) => String(dayOfYear(date)).padStart(3, '0'),
  D: (date) => String(dayOfYear(date)),
  HH: (date) => String(date.getUTCHours()).padStart(2, '0'),
  H: (date) => String(date.getUTCHours()),
  mm: (date) => String(date.getUTCMinutes()).padStart(2, '0'),
  ss: (date) => String(date.getUTCSeconds()).padStart(2, '0'),
  SSS: (date) => String(date.getUTCMilliseconds()).padStart(3, '0'),
};

/**
 * The subset of Java's DateTimeFormatter patterns that prefixes use, in UTC (Firehose's default):
 * letters are fields, text in single quotes is literal, `''` is a quote, anything else is kept.
 * https://docs.oracle.com/javase/8/docs/api/java/time/format/DateTimeFormatter.html
 */
export function formatTimestamp(pattern: string, date: Date): string {
  let out = '';
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index] as string;
    if (char === "'") {
      if (pattern[index + 1] === "'") {
        out += "'";
        index += 2;
        continue;
      }
      const end = pattern.indexOf("'", index + 1);
      if (end === -1) throw new PrefixError(`unterminated quote in timestamp pattern ${pattern}`);
      out += pattern.slice(index + 1, end);
      index = end + 1;
      continue;
    }
    if (/[A-Za-z]/.test(char)) {
      let end = index;
      while (pattern[end] === char) end += 1;
      const letters = pattern.slice(index, end);
      const field = FIELDS[letters];
      if (field === undefined)
        throw new PrefixError(
          `"${letters}" in ${pattern} is not a timestamp field the local Firehose formats`,
        );
      out += field(date);
      index = end;
      continue;
    }
    out += char;
    index += 1;
  }
  return out;
}

function dayOfYear(date: Date): number {
  return Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

function expressionsOf(template: string): [string, string][] {
  return [...template.matchAll(EXPRESSION)].map((match) => [match[1] as string, match[2] as string]);
}
