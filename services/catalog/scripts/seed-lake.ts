/**
 * npm run lake:seed [-- --grams 20000 --first 1900 --last 2010 --bucket <lake bucket> --cloud <cloud.json>]
 *
 * Writes the n-gram dataset (scripts/ngrams.ts) into the lake's curated/ngram/ through the S3 API:
 * the local cloud's when `npm start` runs (its lake bucket by default), AWS's otherwise (pass the
 * bucket: sp-<account>-<region>-<stage>-lake). The catalog registers each file as it lands, so the
 * talk's query runs right after: POST /catalog/queries with the SQL it prints.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CLOUD_OPTION,
  LOCAL_CLOUD_FILE,
  numberOption,
  parseCommandLine,
  usageError,
} from '@serverless-patterns/local/command-line';
import { awsClients, readCloudDescription, serviceOf } from '@serverless-patterns/local/testing';
import { DEFAULT_NGRAMS, ngramKey, TALK_QUERY, writeNgramFiles } from './ngrams';

/** What `npm start` writes: where the local cloud is. */

const LAKE_SEED = {
  invocation: 'npm run lake:seed --',
  synopsis: '[options]',
  about: [
    "Writes an n-gram dataset shaped like Google Books' (one Parquet file per decade, 'just say no' in every",
    "one) into the lake's curated/ngram/decade=<d>/ through the S3 API: the local cloud's lake bucket when",
    "npm start runs, AWS's otherwise (pass --bucket: sp-<account>-<region>-<stage>-lake). The catalog",
    "registers each file as it lands; then the talk's query it prints runs through POST /catalog/queries.",
  ].join('\n'),
  options: {
    grams: {
      type: 'string',
      default: String(DEFAULT_NGRAMS.grams),
      placeholder: '<n>',
      description: `grams besides 'just say no', each with a row per year (default ${DEFAULT_NGRAMS.grams})`,
    },
    first: {
      type: 'string',
      default: String(DEFAULT_NGRAMS.firstDecade),
      placeholder: '<decade>',
      description: `the first decade, a year that ends in 0 (default ${DEFAULT_NGRAMS.firstDecade})`,
    },
    last: {
      type: 'string',
      default: String(DEFAULT_NGRAMS.lastDecade),
      placeholder: '<decade>',
      description: `the last decade (default ${DEFAULT_NGRAMS.lastDecade})`,
    },
    bucket: {
      type: 'string',
      placeholder: '<bucket>',
      description: "write to this bucket in AWS (default credentials), not the local cloud's lake",
    },
    cloud: { ...CLOUD_OPTION, default: LOCAL_CLOUD_FILE },
  },
} as const;

const { values } = parseCommandLine(LAKE_SEED);
const decade = (name: 'first' | 'last') => {
  const year = numberOption(LAKE_SEED.invocation, name, values[name], { min: 0, integer: true });
  if (year % 10 !== 0)
    usageError(LAKE_SEED.invocation, `--${name} takes a decade (1900, 1910, ...), not '${year}'`);
  return year;
};
const options = {
  grams: numberOption(LAKE_SEED.invocation, 'grams', values.grams, { min: 0, integer: true }),
  firstDecade: decade('first'),
  lastDecade: decade('last'),
};
if (options.firstDecade > options.lastDecade)
  usageError(LAKE_SEED.invocation, `--first ${options.firstDecade} comes after --last ${options.lastDecade}`);

async function main(): Promise<void> {
  const { s3, bucket } = await target(values.bucket, values.cloud);
  const directory = await mkdtemp(join(tmpdir(), 'lake-seed-'));
  try {
    const files = await writeNgramFiles(directory, options);
    for (const [decade, file] of files) {
      const body = await readFile(file);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: ngramKey(decade), Body: body }));
      console.log(`s3://${bucket}/${ngramKey(decade)} (${body.length} bytes)`);
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
    s3.destroy();
  }
  console.log(`\nThe talk's query, for POST /catalog/queries:\n  ${TALK_QUERY}`);
}

/** The local cloud's lake when one runs and no bucket is named; AWS (default credentials) otherwise. */
async function target(
  bucket: string | undefined,
  cloudFile: string,
): Promise<{ s3: S3Client; bucket: string }> {
  const description =
    bucket === undefined ? await readCloudDescription(cloudFile).catch(() => undefined) : undefined;
  if (description !== undefined) {
    const { s3 } = awsClients(description);
    return { s3, bucket: serviceOf(description, 'catalog').resource('LakeBucket') };
  }
  if (bucket === undefined)
    throw new Error('no local cloud is running: start one (npm start) or pass --bucket');
  return { s3: new S3Client({}), bucket };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
