import {
  AlreadyExistsException,
  BatchCreatePartitionCommand,
  ConcurrentModificationException,
  CreateTableCommand,
  DeletePartitionCommand,
  EntityNotFoundException,
  GetPartitionsCommand,
  GetTableCommand,
  UpdateTableCommand,
} from '@aws-sdk/client-glue';
import { glue } from '@serverless-patterns/shared/clients/glue';
import { mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createGlueCatalog } from '../../../src/adapters/glue-catalog';
import type { TableDefinition } from '../../../src/core/glue-tables';

const DATABASE = 'serverless_patterns_lake_dev';
const CLICKS: TableDefinition = {
  name: 'raw_clickstream',
  location: 's3://lake/raw/clickstream/',
  format: 'jsonl',
  compression: 'gzip',
  columns: [
    { name: 'eventid', type: 'string' },
    { name: 'time', type: 'timestamp' },
  ],
  partitionKeys: [{ name: 'year', type: 'bigint' }],
};
const STORED = {
  Name: 'raw_clickstream',
  VersionId: '3',
  TableType: 'EXTERNAL_TABLE',
  Parameters: { classification: 'json' },
  PartitionKeys: [{ Name: 'year', Type: 'bigint' }],
  StorageDescriptor: {
    Location: 's3://lake/raw/clickstream/',
    Columns: [{ Name: 'eventid', Type: 'string' }],
    SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
  },
};
const notFound = () => new EntityNotFoundException({ message: 'Table not found', $metadata: {} });

describe('Glue catalog adapter', () => {
  const mocks = mockClientsInEachTest({ glue });
  const catalog = createGlueCatalog({ databaseName: DATABASE });

  it('creates a missing table as Athena reads JSON lines: JSON SerDe, text input, partition keys, location', async () => {
    mocks.glue.on(GetTableCommand).rejects(notFound());

    const outcome = await catalog.ensureTable(CLICKS);

    expect(outcome).to.equal('created');
    const input = mocks.glue.commandCalls(CreateTableCommand)[0]?.args[0].input;
    expect(input?.DatabaseName).to.equal(DATABASE);
    expect(input?.TableInput).to.deep.include({ Name: 'raw_clickstream', TableType: 'EXTERNAL_TABLE' });
    expect(input?.TableInput?.Parameters).to.include({ classification: 'json', compressionType: 'gzip' });
    expect(input?.TableInput?.PartitionKeys).to.deep.equal([{ Name: 'year', Type: 'bigint' }]);
    expect(input?.TableInput?.StorageDescriptor).to.deep.include({
      Location: 's3://lake/raw/clickstream/',
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      Compressed: true,
    });
    expect(input?.TableInput?.StorageDescriptor?.SerdeInfo?.SerializationLibrary).to.equal(
      'org.openx.data.jsonserde.JsonSerDe',
    );
  });

  it('widens an existing table on its version (optimistic locking), keeping its other settings', async () => {
    mocks.glue.on(GetTableCommand).resolves({ Table: STORED });

    const outcome = await catalog.ensureTable(CLICKS);

    expect(outcome).to.equal('widened');
    const input = mocks.glue.commandCalls(UpdateTableCommand)[0]?.args[0].input;
    expect(input).to.deep.include({ DatabaseName: DATABASE, VersionId: '3', SkipArchive: true });
    expect(input?.TableInput?.StorageDescriptor?.Columns).to.deep.equal([
      { Name: 'eventid', Type: 'string' },
      { Name: 'time', Type: 'timestamp' },
    ]);
    expect(input?.TableInput?.StorageDescriptor?.SerdeInfo).to.deep.equal(STORED.StorageDescriptor.SerdeInfo);
  });

  it('merges again from the new version when a concurrent widening got there first', async () => {
    const other = {
      ...STORED,
      VersionId: '4',
      StorageDescriptor: {
        ...STORED.StorageDescriptor,
        Columns: [...STORED.StorageDescriptor.Columns, { Name: 'referrer', Type: 'string' }],
      },
    };
    mocks.glue.on(GetTableCommand).resolvesOnce({ Table: STORED }).resolves({ Table: other });
    mocks.glue
      .on(UpdateTableCommand)
      .rejectsOnce(new ConcurrentModificationException({ message: 'version changed', $metadata: {} }))
      .resolves({});

    const outcome = await catalog.ensureTable(CLICKS);

    expect(outcome).to.equal('widened');
    const retried = mocks.glue.commandCalls(UpdateTableCommand)[1]?.args[0].input;
    expect(retried?.VersionId).to.equal('4');
    expect(retried?.TableInput?.StorageDescriptor?.Columns?.map((column) => column.Name)).to.deep.equal([
      'eventid',
      'referrer',
      'time',
    ]);
  });

  it('changes nothing when the table has every column already', async () => {
    mocks.glue.on(GetTableCommand).resolves({
      Table: {
        ...STORED,
        StorageDescriptor: {
          ...STORED.StorageDescriptor,
          Columns: [
            { Name: 'eventid', Type: 'string' },
            { Name: 'time', Type: 'timestamp' },
          ],
        },
      },
    });

    expect(await catalog.ensureTable(CLICKS)).to.equal('unchanged');
    expect(mocks.glue.commandCalls(UpdateTableCommand)).to.have.length(0);
  });

  it('reads the table again when another function created it first', async () => {
    mocks.glue.on(GetTableCommand).rejectsOnce(notFound()).resolves({ Table: STORED });
    mocks.glue
      .on(CreateTableCommand)
      .rejects(new AlreadyExistsException({ message: 'exists', $metadata: {} }));

    expect(await catalog.ensureTable(CLICKS)).to.equal('widened');
  });

  it('leaves alone a table of the same name that reads another location or format', async () => {
    mocks.glue.on(GetTableCommand).resolves({
      Table: {
        ...STORED,
        StorageDescriptor: { ...STORED.StorageDescriptor, Location: 's3://lake/raw/click/stream/' },
      },
    });

    const outcome = await catalog.ensureTable(CLICKS);

    expect(outcome).to.have.property('conflict').that.contains('s3://lake/raw/click/stream/');
    expect(mocks.glue.commandCalls(UpdateTableCommand)).to.have.length(0);
  });

  it('adds a partition with its table’s storage at its own location, and takes "already exists" as done', async () => {
    mocks.glue.on(GetTableCommand).resolves({ Table: STORED });
    mocks.glue
      .on(BatchCreatePartitionCommand)
      .resolvesOnce({})
      .resolves({
        Errors: [{ PartitionValues: ['2026'], ErrorDetail: { ErrorCode: 'AlreadyExistsException' } }],
      });
    const partition = { values: ['2026'], location: 's3://lake/raw/clickstream/year=2026/' };

    const outcomes = [
      await catalog.ensurePartition('raw_clickstream', partition),
      await catalog.ensurePartition('raw_clickstream', partition),
    ];

    expect(outcomes).to.deep.equal(['added', 'exists']);
    const input = mocks.glue.commandCalls(BatchCreatePartitionCommand)[0]?.args[0].input;
    expect(input?.PartitionInputList?.[0]).to.deep.equal({
      Values: ['2026'],
      StorageDescriptor: { ...STORED.StorageDescriptor, Location: 's3://lake/raw/clickstream/year=2026/' },
    });
  });

  it('throws any other partition error, so that the event is retried', async () => {
    mocks.glue.on(GetTableCommand).resolves({ Table: STORED });
    mocks.glue.on(BatchCreatePartitionCommand).resolves({
      Errors: [{ ErrorDetail: { ErrorCode: 'InternalServiceException', ErrorMessage: 'try again' } }],
    });

    await catalog.ensurePartition('raw_clickstream', { values: ['2026'], location: 's3://lake/x/' }).then(
      () => expect.fail('the error was swallowed'),
      (error: Error) => expect(error.message).to.contain('InternalServiceException'),
    );
  });

  it('removes a partition, and takes a missing one as removed already', async () => {
    mocks.glue.on(DeletePartitionCommand).resolvesOnce({}).rejects(notFound());

    const outcomes = [
      await catalog.removePartition('raw_clickstream', ['2026']),
      await catalog.removePartition('raw_clickstream', ['2026']),
    ];

    expect(outcomes).to.deep.equal(['removed', 'absent']);
  });

  it('reads a table for queries, and its partitions through the filter, page after page', async () => {
    mocks.glue.on(GetTableCommand).resolves({ Table: STORED });
    mocks.glue
      .on(GetPartitionsCommand)
      .resolvesOnce({
        Partitions: [
          { Values: ['2025'], StorageDescriptor: { Location: 's3://lake/raw/clickstream/year=2025/' } },
        ],
        NextToken: 'next',
      })
      .resolves({
        Partitions: [
          { Values: ['2026'], StorageDescriptor: { Location: 's3://lake/raw/clickstream/year=2026/' } },
        ],
      });

    const table = await catalog.table('raw_clickstream');
    const partitions = await catalog.partitions('raw_clickstream', 'year >= 2025');

    expect(table).to.deep.equal({
      name: 'raw_clickstream',
      location: 's3://lake/raw/clickstream/',
      format: 'jsonl',
      columns: [{ name: 'eventid', type: 'string' }],
      partitionKeys: [{ name: 'year', type: 'bigint' }],
    });
    expect(partitions.map((partition) => partition.values[0])).to.deep.equal(['2025', '2026']);
    expect(mocks.glue.commandCalls(GetPartitionsCommand)[0]?.args[0].input).to.include({
      Expression: 'year >= 2025',
    });
  });

  it('answers undefined for a table that is not in the catalog', async () => {
    mocks.glue.on(GetTableCommand).rejects(notFound());

    expect(await catalog.table('secrets')).to.equal(undefined);
  });
});
