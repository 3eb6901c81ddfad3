import {
  type ClickEvent,
  type ClickedProduct,
  clickEventSchema,
  type LakeClick,
} from '@serverless-patterns/shared/schemas/events';

/** The three outcomes Firehose accepts from a transformation function. */
export type TransformResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

/**
 * Where an Ok click goes in the lake: Firehose's dynamic partitioning evaluates the delivery stream's
 * prefix with these (`event_type=!{partitionKeyFromLambda:eventType}/year=...`), from the click's own
 * time, so that a click delivered late still lands in the day it happened.
 * https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning.html
 */
export interface ClickPartitionKeys {
  eventType: ClickEvent['type'];
  year: string;
  month: string;
  day: string;
}

export interface TransformedRecord {
  result: TransformResult;
  /** The output line (JSON plus newline) for Ok; the untouched input for anything else. */
  data: string;
  reason?: string;
  partitionKeys?: ClickPartitionKeys;
}

/** What the transformation needs of the store's products: those it knows, by id. */
export interface ProductLookup {
  productsById(productIds: readonly string[]): Promise<ReadonlyMap<string, ClickedProduct>>;
}

// Named crawlers and tools rather than a bare "bot", which also matches phones such as Cubot's.
const BOT_USER_AGENT =
  /googlebot|bingbot|slurp|duckduckbot|baiduspider|yandexbot|ahrefsbot|semrushbot|slackbot|facebookexternalhit|crawler|spider|headlesschrome|^curl\/|^wget\/|python-requests/i;

type ParsedClick = { click: ClickEvent } | { rejected: TransformedRecord };

/**
 * Firehose keeps a record that failed under the processing-failed prefix, with the original data,
 * so a bad beacon is never lost: https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 */
export function parseClick(raw: string): ParsedClick {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return { rejected: { result: 'ProcessingFailed', data: raw, reason: 'not JSON' } };
  }
  const click = clickEventSchema.safeParse(parsed);
  if (!click.success) {
    const fields = click.error.issues.flatMap(issuePaths).join(', ');
    return {
      rejected: { result: 'ProcessingFailed', data: raw, reason: `invalid click event at ${fields}` },
    };
  }
  if (click.data.userAgent !== undefined && BOT_USER_AGENT.test(click.data.userAgent))
    return { rejected: { result: 'Dropped', data: raw, reason: 'automated user agent' } };
  return { click: click.data };
}

/** One click for the lake: ISO time for epoch milliseconds, the product when the store knows it. */
export function transformClick(
  raw: string,
  products: ReadonlyMap<string, ClickedProduct> = new Map(),
): TransformedRecord {
  const parsed = parseClick(raw);
  if ('rejected' in parsed) return parsed.rejected;
  const { timestamp, ...rest } = parsed.click;
  const time = new Date(timestamp);
  const product = rest.productId === undefined ? undefined : products.get(rest.productId);
  const lakeClick: LakeClick = { ...rest, time: time.toISOString(), ...(product ? { product } : {}) };
  const iso = lakeClick.time;
  return {
    result: 'Ok',
    // One JSON document per line, so the lake's objects are JSON lines.
    data: `${JSON.stringify(lakeClick)}\n`,
    partitionKeys: {
      eventType: rest.type,
      year: iso.slice(0, 4),
      month: iso.slice(5, 7),
      day: iso.slice(8, 10),
    },
  };
}

/**
 * A batch of Firehose records: the products they name looked up once for the batch (through the
 * container's cache, product-cache.ts), then each record transformed alone. A lookup that fails
 * throws: Firehose retries the invocation, then keeps the records under the error prefix.
 */
export function createClickTransformer({ products }: { products: ProductLookup }) {
  return {
    async transform(raws: readonly string[]): Promise<TransformedRecord[]> {
      const productIds = new Set<string>();
      for (const raw of raws) {
        const parsed = parseClick(raw);
        if ('click' in parsed && parsed.click.productId !== undefined) productIds.add(parsed.click.productId);
      }
      const known = productIds.size === 0 ? new Map() : await products.productsById([...productIds]);
      return raws.map((raw) => transformClick(raw, known));
    },
  };
}

/** Unknown keys are one issue on their parent in zod; name each of them. */
function issuePaths(issue: { path: PropertyKey[]; code: string; keys?: string[] }): string[] {
  const parent = issue.path.map(String);
  if (issue.code === 'unrecognized_keys' && issue.keys)
    return issue.keys.map((key) => [...parent, key].join('.'));
  return [parent.join('.') || '(root)'];
}
