import { readFileSync } from 'node:fs';

/** The samples copied into aws-samples/, by file name. */
export type SampleName =
  | 'apigateway-authorizer'
  | 'apigateway-aws-proxy'
  | 'apigateway-request-authorizer'
  | 'cloudwatch-scheduled-event'
  | 'dynamodb-update'
  | 'kinesis-get-records'
  | 'kinesis-kinesis-firehose'
  | 's3-delete'
  | 's3-put'
  | 'sns-notification'
  | 'sqs-receive-message';

/** One of AWS's sample events, read from its JSON; `T` only names the type a test reads it as. */
export function awsSample<T = unknown>(name: SampleName): T {
  return JSON.parse(readFileSync(new URL(`./aws-samples/${name}.json`, import.meta.url), 'utf8'));
}

/** An event as Lambda hands it over: JSON, so fields set to undefined are absent. */
export function asDelivered(event: unknown): unknown {
  return JSON.parse(JSON.stringify(event));
}

/**
 * Every field path of an event as delivered, recursively and sorted (`Records[].s3.object.key`);
 * values are ignored, and the elements of an array share one path.
 */
export function fieldPaths(event: unknown): string[] {
  const paths = new Set<string>();
  collect(asDelivered(event), '', paths);
  return [...paths].sort();
}

function collect(value: unknown, path: string, paths: Set<string>): void {
  if (Array.isArray(value)) {
    for (const element of value) collect(element, `${path}[]`, paths);
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      paths.add(childPath);
      collect(child, childPath, paths);
    }
  }
}
