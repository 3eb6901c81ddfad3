import type { S3ObjectChange } from '@serverless-patterns/shared/s3-events';
import type { CatalogEntry } from '@serverless-patterns/shared/schemas/events';

const ZONES = ['raw', 'curated', 'backup', 'errors', 'results'] as const;
type Zone = (typeof ZONES)[number];

/** What the catalog needs to know of an object, as an S3 notification describes it. */
export type LakeObject = Pick<S3ObjectChange, 'bucket' | 'key' | 'sizeBytes' | 'eTag' | 'versionId'>;

export type LakeObjectDescription =
  | { catalogued: true; entry: CatalogEntry }
  | { catalogued: false; reason: string };

const PARTITION_SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/;

/**
 * Works out where an object sits in the lake from its key alone:
 * `<zone>/<dataset...>/<name>=<value>/.../<file>`, e.g.
 * `raw/clickstream/year=2026/month=11/day=29/clicks-1.gz` is dataset `clickstream` in zone `raw`,
 * partitioned by year, month and day (Hive-style, as Athena and DuckDB read them).
 */
export function describeLakeObject(object: LakeObject, registeredAt: Date): LakeObjectDescription {
  const segments = object.key.split('/');
  const [zone, ...rest] = segments;
  const fileName = rest.pop();
  if (!isZone(zone))
    return { catalogued: false, reason: `"${zone}/" is not a lake zone (${ZONES.join(', ')})` };
  if (fileName === undefined || fileName === '') return { catalogued: false, reason: 'folder marker' };

  const datasetPath: string[] = [];
  const partitions: Record<string, string> = {};
  for (const segment of rest) {
    const partition = PARTITION_SEGMENT.exec(segment);
    if (partition?.[1] !== undefined && partition[2] !== undefined) partitions[partition[1]] = partition[2];
    else if (Object.keys(partitions).length === 0) datasetPath.push(segment);
    else return { catalogued: false, reason: `"${segment}" follows a partition but is not one` };
  }
  if (datasetPath.length === 0) return { catalogued: false, reason: 'objects must sit in a dataset folder' };

  const compression = fileName.endsWith('.gz') ? 'gzip' : 'none';
  return {
    catalogued: true,
    entry: {
      bucket: object.bucket,
      key: object.key,
      zone,
      dataset: datasetPath.join('/'),
      partitions,
      format: formatOf(fileName.replace(/\.gz$/, '')),
      compression,
      sizeBytes: object.sizeBytes,
      etag: object.eTag,
      ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
      registeredAt: registeredAt.toISOString(),
    },
  };
}

function isZone(value: string | undefined): value is Zone {
  return (ZONES as readonly (string | undefined)[]).includes(value);
}

function formatOf(fileName: string): CatalogEntry['format'] {
  if (/\.(jsonl|ndjson|json)$/.test(fileName)) return 'jsonl';
  if (fileName.endsWith('.csv')) return 'csv';
  if (fileName.endsWith('.parquet')) return 'parquet';
  // Firehose writes JSON lines with no extension unless one is configured.
  if (!fileName.includes('.')) return 'jsonl';
  return 'unknown';
}

/**
 * S3's `sequencer` orders the events of one key: the larger (after left-padding with zeros) is the
 * later. https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function comparableSequencer(sequencer: string): string {
  return sequencer.toUpperCase().padStart(32, '0');
}
