import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParquetWriter } from '../core/jobs/compaction-job';

/** DuckDB, loaded when first used (the functions that compact have its layer). */
const loadDuckDb = () => import('@duckdb/node-api');

const quoteString = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * JSON lines to zstd Parquet with DuckDB, in a directory of its own under /tmp, removed after. The
 * schema is DuckDB's inference over every line (as the catalog infers it on read).
 */
export function createParquetWriter({
  memoryLimitMb,
  threads,
  workDir = tmpdir(),
}: {
  memoryLimitMb: number;
  threads: number;
  workDir?: string;
}): ParquetWriter {
  return {
    async fromJsonLines(jsonLines) {
      const directory = await mkdtemp(join(workDir, 'compaction-'));
      try {
        const source = join(directory, 'source.jsonl');
        const target = join(directory, 'target.parquet');
        await writeFile(source, jsonLines);
        const { DuckDBInstance } = await loadDuckDb();
        const instance = await DuckDBInstance.create(':memory:', {
          autoinstall_known_extensions: 'false',
          autoload_known_extensions: 'false',
          threads: String(threads),
          memory_limit: `${memoryLimitMb}MB`,
          temp_directory: join(directory, 'spill'),
        });
        const connection = await instance.connect();
        try {
          await connection.run(
            `COPY (SELECT * FROM read_json_auto(${quoteString(source)}, format = 'newline_delimited', sample_size = -1)) TO ${quoteString(target)} (FORMAT parquet, COMPRESSION zstd)`,
          );
        } finally {
          connection.closeSync();
          instance.closeSync();
        }
        return await readFile(target);
      } finally {
        await rm(directory, { recursive: true, force: true });
      }
    },
  };
}
