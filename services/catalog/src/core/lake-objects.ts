import type { S3ObjectChange } from '@serverless-patterns/shared/s3-events';
import type { CatalogEntry, DataFormat, LakeZone } from '@serverless-patterns/shared/schemas/events';

const ZONES = ['raw', 'curated', 'backup', 'errors', 'results'] as const satisfies readonly LakeZone[];

/** What the catalog needs to know of an object, as an S3 notification describes it. */
export type LakeObject = Pick<S3ObjectChange, 'bucket' | 'key' | 'sizeBytes' | 'eTag' | 'versionId'>;

/** Where an object sits in the lake, from its key alone; what its content is comes later (inspection). */
export type LakePlace = Omit<CatalogEntry, 'schema' | 'sensitive' | 'table'>;

export type LakeObjectDescription =
  | { catalogued: true; entry: LakePlace }
  | { catalogued: false; reason: string };

const PARTITION_SEGMENT = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/;

/**
 * Works out where an object sits in the lake from its key alone:
 * `<zone>/<dataset...>/<name>=<value>/.../<file>`, e.g.
 * `raw/clickstream/year=2026/month=11/day=29/clicks-1.gz` is dataset `clickstream` in zone `raw`,
 * partitioned by year, month and day (Hive-style, as Athena and DuckDB read them). The format and
 * compression here are the name's guess; the content decides them (content-sniffing.ts).
 */
export function describeLakeObject(object: LakeObject, registeredAt: Date): LakeObjectDescription {
  const segments = object.key.split('/');
  const [zone, ...rest] = segments;
  const fileName = rest.pop();
  if (!isZone(zone))
    return { catalogued: false, reason: `"${zone}/" is not a lake zone (${ZONES.join(', ')})` };
  if (zone === 'results')
    return {
      catalogued: false,
      reason: 'query results are described by their query (GET /catalog/queries/{id})',
    };
  if (fileName === undefined || fileName === '') return { catalogued: false, reason: 'folder marker' };
  // "a/../b" and "a//b" name the same object to S3 only literally; to a Hive reader or a file system
  // they would be another path. The lake refuses them rather than guess.
  if (rest.some((segment) => segment === '' || segment === '.' || segment === '..') || fileName === '..')
    return { catalogued: false, reason: 'a lake key has no empty, "." or ".." segment' };

  const datasetPath: string[] = [];
  const partitions: Record<string, string> = {};
  for (const segment of rest) {
    const partition = PARTITION_SEGMENT.exec(segment);
    if (partition?.[1] !== undefined && partition[2] !== undefined) partitions[partition[1]] = partition[2];
    else if (Object.keys(partitions).length === 0) datasetPath.push(segment);
    else return { catalogued: false, reason: `"${segment}" follows a partition but is not one` };
  }
  if (datasetPath.length === 0) return { catalogued: false, reason: 'objects must sit in a dataset folder' };

  return {
    catalogued: true,
    entry: {
      bucket: object.bucket,
      key: object.key,
      zone,
      dataset: datasetPath.join('/'),
      partitions,
      ...formatFromName(fileName),
      sizeBytes: object.sizeBytes,
      etag: object.eTag,
      ...(object.versionId === undefined ? {} : { versionId: object.versionId }),
      registeredAt: registeredAt.toISOString(),
    },
  };
}

function isZone(value: string | undefined): value is (typeof ZONES)[number] {
  return (ZONES as readonly (string | undefined)[]).includes(value);
}

/** The format a file's name suggests: what the catalog records when the content cannot be read. */
export function formatFromName(fileName: string): { format: DataFormat; compression: 'gzip' | 'none' } {
  const compression = fileName.endsWith('.gz') ? 'gzip' : 'none';
  const name = fileName.replace(/\.gz$/, '');
  if (/\.(jsonl|ndjson|json)$/.test(name)) return { format: 'jsonl', compression };
  if (name.endsWith('.csv')) return { format: 'csv', compression };
  if (name.endsWith('.parquet')) return { format: 'parquet', compression };
  // Firehose writes JSON lines with no extension unless one is configured.
  if (!name.includes('.')) return { format: 'jsonl', compression };
  return { format: 'unknown', compression };
}

/** The folder of an object: its dataset's and partition's path, with the trailing slash. */
export function folderOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}

/**
 * S3's `sequencer` orders the events of one key: the larger (after left-padding with zeros) is the
 * later. https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
export function comparableSequencer(sequencer: string): string {
  return sequencer.toUpperCase().padStart(32, '0');
}
