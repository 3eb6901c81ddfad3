import { DuckDBInstance } from '@duckdb/node-api';

/**
 * An n-gram dataset shaped like Google Books' (gram, year, match_count, volume_count), generated
 * deterministically: the same options give the same bytes. One Parquet file per decade, the Hive
 * partition `decade=<first year>`, rows sorted by gram (so that a filter on a gram skips row groups
 * by their statistics, as a real n-gram export allows). "just say no" is in every decade, with the
 * rise and fall of the 1980s campaign. https://storage.googleapis.com/books/ngrams/books/datasetsv3.html
 */
export interface NgramOptions {
  /** Grams besides "just say no", each with one row per year. */
  grams: number;
  firstDecade: number;
  lastDecade: number;
}

export const DEFAULT_NGRAMS: NgramOptions = { grams: 20_000, firstDecade: 1900, lastDecade: 2010 };

export const TALK_QUERY =
  "SELECT gram, year, sum(match_count) FROM ngram WHERE gram = 'just say no' GROUP BY gram, year ORDER BY year";

const WORDS = [
  'the',
  'of',
  'and',
  'to',
  'in',
  'a',
  'is',
  'that',
  'for',
  'it',
  'as',
  'was',
  'with',
  'be',
  'by',
  'on',
  'not',
  'he',
  'this',
  'are',
  'or',
  'his',
  'from',
  'at',
  'which',
  'but',
  'have',
  'an',
  'had',
  'they',
  'you',
  'were',
  'their',
  'one',
  'all',
  'we',
  'can',
  'her',
  'has',
  'there',
  'been',
  'if',
  'more',
  'when',
  'will',
  'would',
  'who',
  'so',
  'no',
  'say',
  'just',
  'data',
  'lake',
  'stream',
  'cloud',
  'server',
  'thermostat',
  'river',
  'mountain',
  'city',
  'book',
  'letter',
  'war',
  'peace',
  'music',
  'science',
  'history',
  'house',
  'garden',
];

export function decadesOf(options: NgramOptions): number[] {
  const decades: number[] = [];
  for (let decade = options.firstDecade; decade <= options.lastDecade; decade += 10) decades.push(decade);
  return decades;
}

/** The object key of a decade's file in the lake. */
export function ngramKey(decade: number): string {
  return `curated/ngram/decade=${decade}/part-00000.parquet`;
}

/** Writes each decade's Parquet file into `directory` and returns decade -> path. */
export async function writeNgramFiles(
  directory: string,
  options: NgramOptions,
): Promise<Map<number, string>> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  const files = new Map<number, string>();
  try {
    const words = WORDS.map((word) => `'${word}'`).join(', ');
    for (const decade of decadesOf(options)) {
      const file = `${directory}/ngram-${decade}.parquet`;
      await connection.run(`
        COPY (
          WITH words AS (SELECT [${words}] AS list),
          grams AS (
            SELECT
              list[1 + (i % len(list))] || ' ' || list[1 + ((i * 7 + 3) % len(list))] || ' ' ||
              list[1 + ((i * 13 + 5) % len(list))] || ' ' || i AS gram, i
            FROM range(${options.grams}) AS r(i), words
          ),
          years AS (SELECT y AS year FROM range(${decade}, ${decade + 10}) AS t(y)),
          rows AS (
            SELECT gram, year, 1 + ((i * 2654435761 + year * 40503) % 997)::BIGINT AS match_count
            FROM grams, years
            UNION ALL
            SELECT 'just say no', year,
              (40 + 9000 * exp(-((year - 1986) * (year - 1986)) / 40.0))::BIGINT
            FROM years
          )
          SELECT gram, year, match_count, 1 + match_count // 3 AS volume_count FROM rows ORDER BY gram, year
        ) TO '${file}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 100000)`);
      files.set(decade, file);
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  return files;
}
