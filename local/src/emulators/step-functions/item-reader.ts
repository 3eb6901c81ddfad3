import {
  GetObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { parse as parseCsv } from 'csv-parse/sync';
import { TaskFailedError } from './lambda-tasks';

/**
 * The distributed Map's item sources: an S3 listing (s3:listObjectsV2) or one object read as a
 * JSON array, JSON lines or CSV (s3:getObject), as AWS's ItemReader reads them.
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 */

/** The S3 calls a Map Run makes (its ItemReader and ResultWriter), behind a small interface. */
export interface MapRunObjects {
  list(bucket: string, prefix: string | undefined): Promise<ListedObject[]>;
  read(bucket: string, key: string): Promise<string>;
  write(bucket: string, key: string, body: string): Promise<void>;
}

/** One item of an S3 listing, with the fields and types AWS gives it. */
export interface ListedObject {
  Etag: string;
  Key: string;
  LastModified: number;
  Size: number;
  StorageClass: string;
}

/** The Map Run's S3 calls through the real client (the local cloud's, pointed at the local S3). */
export function s3MapRunObjects(s3: S3Client): MapRunObjects {
  return {
    async list(bucket, prefix) {
      const objects: ListedObject[] = [];
      let token: string | undefined;
      do {
        const page: ListObjectsV2CommandOutput = await s3.send(
          new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
        );
        for (const object of page.Contents ?? [])
          objects.push({
            Etag: object.ETag ?? '',
            Key: object.Key ?? '',
            // Seconds since the epoch, as AWS's items carry it.
            LastModified: Math.floor((object.LastModified?.getTime() ?? 0) / 1000),
            Size: object.Size ?? 0,
            StorageClass: object.StorageClass ?? 'STANDARD',
          });
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return objects;
    },
    async read(bucket, key) {
      const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return (await Body?.transformToString('utf8')) ?? '';
    },
    async write(bucket, key, body) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }),
      );
    },
  };
}

export interface ReaderConfig {
  InputType?: string;
  CSVHeaderLocation?: 'FIRST_ROW' | 'GIVEN';
  CSVHeaders?: string[];
  CSVDelimiter?: string;
}

/** What an ItemReader's Parameters resolved to, with its configuration. */
export interface ItemSource {
  resource: string;
  parameters: { Bucket?: unknown; Key?: unknown; Prefix?: unknown };
  config: ReaderConfig;
  maxItems: number | undefined;
}

// https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html#itemreader-field-contents
const CSV_DELIMITERS: Record<string, string> = {
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  SPACE: ' ',
  TAB: '\t',
};

/** An ItemReader failure: States.ItemReaderFailed, which Retry and Catch of the Map can match. */
export const itemReaderFailed = (cause: string) => new TaskFailedError('States.ItemReaderFailed', cause);

/** Reads the items, at most `maxItems` of them (MaxItems: 0 or absent reads them all). */
export async function readItems(source: ItemSource, objects: MapRunObjects): Promise<unknown[]> {
  const { Bucket, Key, Prefix } = source.parameters;
  if (typeof Bucket !== 'string') throw itemReaderFailed('ItemReader Parameters need a Bucket (string)');
  let items: unknown[];
  try {
    if (source.resource.endsWith(':s3:listObjectsV2')) {
      items = await objects.list(Bucket, typeof Prefix === 'string' ? Prefix : undefined);
    } else {
      if (typeof Key !== 'string') throw itemReaderFailed('ItemReader Parameters need a Key (string)');
      items = parseObject(await objects.read(Bucket, Key), source.config, `s3://${Bucket}/${Key}`);
    }
  } catch (error) {
    if (error instanceof TaskFailedError) throw error;
    throw itemReaderFailed(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  }
  const limit = source.maxItems;
  return limit !== undefined && limit > 0 ? items.slice(0, limit) : items;
}

/** One object's text as items: a JSON array, one JSON value per line, or CSV rows as objects of strings. */
export function parseObject(text: string, config: ReaderConfig, where: string): unknown[] {
  switch (config.InputType) {
    case 'JSON': {
      const parsed = parseJson(text, where);
      if (!Array.isArray(parsed)) throw itemReaderFailed(`${where} does not hold a JSON array`);
      return parsed;
    }
    case 'JSONL':
      return text
        .split(/\r?\n/)
        .map((line, index) => ({ line, index }))
        .filter(({ line }) => line.trim() !== '')
        .map(({ line, index }) => parseJson(line, `${where} line ${index + 1}`));
    case 'CSV':
      return parseCsvRows(text, config, where);
    default:
      throw itemReaderFailed(`ReaderConfig InputType ${String(config.InputType)} is not read locally`);
  }
}

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw itemReaderFailed(`${where} is not valid JSON: ${error instanceof Error ? error.message : error}`);
  }
}

/**
 * CSV rows as objects whose keys are the headers (the first row, or CSVHeaders when the location
 * is GIVEN) and whose values are strings, as AWS gives them.
 */
function parseCsvRows(text: string, config: ReaderConfig, where: string): unknown[] {
  const delimiter = CSV_DELIMITERS[config.CSVDelimiter ?? 'COMMA'];
  if (delimiter === undefined)
    throw itemReaderFailed(`CSVDelimiter ${config.CSVDelimiter} is not one of AWS's`);
  const given = config.CSVHeaderLocation === 'GIVEN';
  if (given && !Array.isArray(config.CSVHeaders))
    throw itemReaderFailed('CSVHeaderLocation GIVEN needs CSVHeaders');
  try {
    return parseCsv(text, {
      columns: given ? config.CSVHeaders : true,
      delimiter,
      skip_empty_lines: true,
      relax_column_count: true,
      bom: true,
    }) as unknown[];
  } catch (error) {
    throw itemReaderFailed(`${where} is not valid CSV: ${error instanceof Error ? error.message : error}`);
  }
}
