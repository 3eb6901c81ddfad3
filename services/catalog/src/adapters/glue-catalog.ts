import {
  BatchCreatePartitionCommand,
  CreateTableCommand,
  DeletePartitionCommand,
  GetTableCommand,
  type GlueClient,
  paginateGetPartitions,
  type StorageDescriptor,
  type Table,
  type TableInput,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { glue } from '@serverless-patterns/shared/clients/glue';
import type { LakeTables } from '../core/catalog-registrar';
import { sameColumns, type TableDefinition, widenColumns } from '../core/glue-tables';
import type { LakeTable, TableCatalog } from '../core/lake-queries';

/**
 * How Hive (and so Athena) reads each format: the SerDe, input and output formats Glue's crawlers
 * write for them. https://docs.aws.amazon.com/athena/latest/ug/supported-serdes.html
 */
const STORAGE: Readonly<Record<TableDefinition['format'], Omit<StorageDescriptor, 'Columns' | 'Location'>>> =
  {
    jsonl: {
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: {
        SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        Parameters: { 'case.insensitive': 'true' },
      },
    },
    csv: {
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      SerdeInfo: {
        SerializationLibrary: 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe',
        Parameters: { 'field.delim': ',', 'serialization.format': ',' },
      },
    },
    parquet: {
      InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
      SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
    },
  };

/** The Glue classification of each format, as crawlers write it. */
const CLASSIFICATION: Readonly<Record<TableDefinition['format'], string>> = {
  jsonl: 'json',
  csv: 'csv',
  parquet: 'parquet',
};
const FORMAT_OF: Readonly<Record<string, LakeTable['format']>> = {
  json: 'jsonl',
  csv: 'csv',
  parquet: 'parquet',
};

/** Concurrent widenings of one table: each retries from the version the other wrote. */
const UPDATE_ATTEMPTS = 6;

const named = (name: string) => (error: unknown) => error instanceof Error && error.name === name;
const notFound = named('EntityNotFoundException');

/**
 * The lake's tables in the Glue Data Catalog: one database per stage, one table per dataset.
 * https://docs.aws.amazon.com/glue/latest/dg/tables-described.html
 */
export function createGlueCatalog({
  client = glue,
  databaseName,
}: {
  client?: GlueClient;
  databaseName: string;
}): LakeTables & TableCatalog {
  const getTable = async (name: string): Promise<Table | undefined> => {
    try {
      return (await client.send(new GetTableCommand({ DatabaseName: databaseName, Name: name }))).Table;
    } catch (error) {
      if (notFound(error)) return undefined;
      throw error;
    }
  };

  async function ensureTable(definition: TableDefinition): ReturnType<LakeTables['ensureTable']> {
    for (let attempt = 1; attempt <= UPDATE_ATTEMPTS; attempt += 1) {
      const existing = await getTable(definition.name);
      if (existing === undefined) {
        try {
          await client.send(
            new CreateTableCommand({ DatabaseName: databaseName, TableInput: tableInputOf(definition) }),
          );
          return 'created';
        } catch (error) {
          if (named('AlreadyExistsException')(error)) continue;
          throw error;
        }
      }
      const conflict = conflictOf(existing, definition);
      if (conflict !== undefined) return { conflict };
      const current = (existing.StorageDescriptor?.Columns ?? []).map(({ Name = '', Type = 'string' }) => ({
        name: Name,
        type: Type,
      }));
      const widened = widenColumns(current, definition.columns);
      if (sameColumns(current, widened)) return 'unchanged';
      try {
        // VersionId makes the update conditional (optimistic locking): a concurrent widening
        // fails with ConcurrentModificationException and is merged again from the new version.
        await client.send(
          new UpdateTableCommand({
            DatabaseName: databaseName,
            TableInput: {
              ...tableInputFromTable(existing),
              StorageDescriptor: {
                ...existing.StorageDescriptor,
                Columns: widened.map(({ name, type }) => ({ Name: name, Type: type })),
              },
            },
            VersionId: existing.VersionId,
            SkipArchive: true,
          }),
        );
        return 'widened';
      } catch (error) {
        if (!named('ConcurrentModificationException')(error)) throw error;
      }
    }
    throw new Error(`table ${definition.name} kept changing under ${UPDATE_ATTEMPTS} attempts to widen it`);
  }

  return {
    ensureTable,

    async ensurePartition(tableName, partition) {
      const table = await getTable(tableName);
      if (table === undefined) throw new Error(`table ${tableName} does not exist`);
      const { Errors = [] } = await client.send(
        new BatchCreatePartitionCommand({
          DatabaseName: databaseName,
          TableName: tableName,
          PartitionInputList: [
            {
              Values: partition.values,
              StorageDescriptor: { ...table.StorageDescriptor, Location: partition.location },
            },
          ],
        }),
      );
      // BatchCreatePartition reports per partition instead of throwing: "already exists" is the replay.
      const [error] = Errors;
      if (error === undefined) return 'added';
      if (error.ErrorDetail?.ErrorCode === 'AlreadyExistsException') return 'exists';
      throw new Error(
        `partition ${partition.values.join('/')} of ${tableName}: ${error.ErrorDetail?.ErrorCode} ${error.ErrorDetail?.ErrorMessage}`,
      );
    },

    async removePartition(tableName, values) {
      try {
        await client.send(
          new DeletePartitionCommand({
            DatabaseName: databaseName,
            TableName: tableName,
            PartitionValues: values,
          }),
        );
        return 'removed';
      } catch (error) {
        if (notFound(error)) return 'absent';
        throw error;
      }
    },

    async table(name) {
      const table = await getTable(name);
      const format = FORMAT_OF[table?.Parameters?.classification ?? ''];
      const location = table?.StorageDescriptor?.Location;
      if (table === undefined || format === undefined || location === undefined) return undefined;
      const columns = (list: { Name?: string; Type?: string }[] = []) =>
        list.map(({ Name = '', Type = 'string' }) => ({ name: Name, type: Type }));
      return {
        name,
        location,
        format,
        columns: columns(table.StorageDescriptor?.Columns),
        partitionKeys: columns(table.PartitionKeys),
      };
    },

    async partitions(table, filter) {
      const found = [];
      for await (const page of paginateGetPartitions(
        { client },
        { DatabaseName: databaseName, TableName: table, Expression: filter },
      )) {
        for (const { Values = [], StorageDescriptor } of page.Partitions ?? []) {
          if (StorageDescriptor?.Location !== undefined)
            found.push({ values: Values, location: StorageDescriptor.Location });
        }
      }
      return found;
    },
  };
}

function tableInputOf(definition: TableDefinition): TableInput {
  return {
    Name: definition.name,
    TableType: 'EXTERNAL_TABLE',
    Parameters: {
      EXTERNAL: 'TRUE',
      classification: CLASSIFICATION[definition.format],
      compressionType: definition.compression,
      typeOfData: 'file',
      ...(definition.format === 'csv' ? { 'skip.header.line.count': '1' } : {}),
    },
    PartitionKeys: definition.partitionKeys.map(({ name, type }) => ({ Name: name, Type: type })),
    StorageDescriptor: {
      ...STORAGE[definition.format],
      Columns: definition.columns.map(({ name, type }) => ({ Name: name, Type: type })),
      Location: definition.location,
      Compressed: definition.compression === 'gzip',
    },
  };
}

/** What UpdateTable accepts of what GetTable returned (the read-only fields left out). */
function tableInputFromTable(table: Table): TableInput {
  const { Name, Description, Owner, Retention, StorageDescriptor, PartitionKeys, TableType, Parameters } =
    table;
  return { Name, Description, Owner, Retention, StorageDescriptor, PartitionKeys, TableType, Parameters };
}

/** A table of the same name that another dataset or format owns is not changed. */
function conflictOf(existing: Table, definition: TableDefinition): string | undefined {
  if (existing.StorageDescriptor?.Location !== definition.location)
    return `table ${definition.name} reads ${existing.StorageDescriptor?.Location}, not ${definition.location}`;
  const classification = existing.Parameters?.classification;
  if (classification !== CLASSIFICATION[definition.format])
    return `table ${definition.name} is ${classification}; this object is ${CLASSIFICATION[definition.format]}`;
  const keys = (existing.PartitionKeys ?? []).map((key) => key.Name).join('/');
  const wanted = definition.partitionKeys.map((key) => key.name).join('/');
  if (keys !== wanted)
    return `table ${definition.name} is partitioned by (${keys}), this object by (${wanted})`;
  return undefined;
}
