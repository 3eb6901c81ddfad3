import { type ClickEvent, clickEventSchema } from '@serverless-patterns/shared/schemas/events';

/** The three outcomes Firehose accepts from a transformation function. */
export type TransformResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

export interface TransformedRecord {
  result: TransformResult;
  /** The output line (JSON plus newline) for Ok; the untouched input for anything else. */
  data: string;
  reason?: string;
}

/** The click as it lands in the lake: ISO time instead of epoch milliseconds. */
export type LakeClick = Omit<ClickEvent, 'timestamp'> & { time: string };

// Named crawlers and tools rather than a bare "bot", which also matches phones such as Cubot's.
const BOT_USER_AGENT =
  /googlebot|bingbot|slurp|duckduckbot|baiduspider|yandexbot|ahrefsbot|semrushbot|slackbot|facebookexternalhit|crawler|spider|headlesschrome|^curl\/|^wget\/|python-requests/i;

/**
 * Firehose keeps a record that failed under the processing-failed prefix, with the original data,
 * so a bad beacon is never lost:
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */
export function transformClick(raw: string): TransformedRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { result: 'ProcessingFailed', data: raw, reason: 'not JSON' };
  }
  const click = clickEventSchema.safeParse(parsed);
  if (!click.success) {
    const fields = click.error.issues.flatMap(issuePaths).join(', ');
    return { result: 'ProcessingFailed', data: raw, reason: `invalid click event at ${fields}` };
  }
  if (click.data.userAgent !== undefined && BOT_USER_AGENT.test(click.data.userAgent)) {
    return { result: 'Dropped', data: raw, reason: 'automated user agent' };
  }
  const { timestamp, ...rest } = click.data;
  const lakeClick: LakeClick = { ...rest, time: new Date(timestamp).toISOString() };
  // One JSON document per line, so the lake's objects are JSON lines.
  return { result: 'Ok', data: `${JSON.stringify(lakeClick)}\n` };
}

/** Unknown keys are one issue on their parent in zod; name each of them. */
function issuePaths(issue: { path: PropertyKey[]; code: string; keys?: string[] }): string[] {
  const parent = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys)
    return issue.keys.map((key) => [...parent, key].join('.'));
  return [parent.join('.') || '(root)'];
}
