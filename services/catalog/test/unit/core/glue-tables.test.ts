import { expect } from 'chai';
import {
  hiveTypeOf,
  partitionKeyType,
  partitionOf,
  tableDefinitionOf,
  tableNameOf,
  widenColumns,
  widerType,
} from '../../../src/core/glue-tables';

const entry = {
  bucket: 'lake-bucket',
  key: 'curated/ngram/decade=1990/part-0.parquet',
  zone: 'curated' as const,
  dataset: 'ngram',
  partitions: { decade: '1990' },
  format: 'parquet' as const,
  compression: 'none' as const,
  schema: [
    { name: 'gram', type: 'string' },
    { name: 'Year', type: 'bigint' },
  ],
};

describe('Glue tables', () => {
  it('names a curated dataset by itself and the others by zone and dataset, as Athena wants names', () => {
    expect(tableNameOf('curated', 'ngram')).to.equal('ngram');
    expect(tableNameOf('raw', 'clickstream')).to.equal('raw_clickstream');
    expect(tableNameOf('curated', 'Sales/EU daily')).to.equal('sales_eu_daily');
    expect(tableNameOf('curated', '2026-report')).to.equal('t_2026_report');
    expect(tableNameOf('results', 'x')).to.equal(undefined);
  });

  it('defines a dataset’s table: location, format, lower-case columns, typed partition keys', () => {
    expect(tableDefinitionOf(entry)).to.deep.equal({
      name: 'ngram',
      location: 's3://lake-bucket/curated/ngram/',
      format: 'parquet',
      compression: 'none',
      columns: [
        { name: 'gram', type: 'string' },
        { name: 'year', type: 'bigint' },
      ],
      partitionKeys: [{ name: 'decade', type: 'bigint' }],
    });
  });

  it('lets a partition key win over a column of the same name, as Hive does', () => {
    const definition = tableDefinitionOf({
      ...entry,
      schema: [...entry.schema, { name: 'decade', type: 'string' }],
    });

    expect('name' in definition && definition.columns.map((column) => column.name)).to.deep.equal([
      'gram',
      'year',
    ]);
  });

  it('gives no table to data of unknown format or without a schema, and says why', () => {
    expect(tableDefinitionOf({ ...entry, format: 'unknown' })).to.have.property('reason');
    expect(tableDefinitionOf({ ...entry, schema: undefined })).to.have.property('reason');
  });

  it('types a partition key by its first value: whole numbers are bigint, the rest string', () => {
    expect(['2026', '-5', '01', 'eu', '2026-11-29', '1.5'].map(partitionKeyType)).to.deep.equal([
      'bigint',
      'bigint',
      'bigint',
      'string',
      'string',
      'string',
    ]);
  });

  it('places a partition at its folder', () => {
    expect(partitionOf(entry)).to.deep.equal({
      values: ['1990'],
      location: 's3://lake-bucket/curated/ngram/decade=1990/',
    });
    expect(partitionOf({ ...entry, partitions: {} })).to.equal(undefined);
  });

  it('widens: keeps every column in place, appends new ones, widens a type seen two ways', () => {
    const widened = widenColumns(
      [
        { name: 'id', type: 'int' },
        { name: 'name', type: 'string' },
        { name: 'price', type: 'bigint' },
      ],
      [
        { name: 'id', type: 'bigint' },
        { name: 'referrer', type: 'string' },
        { name: 'price', type: 'double' },
      ],
    );

    expect(widened).to.deep.equal([
      { name: 'id', type: 'bigint' },
      { name: 'name', type: 'string' },
      { name: 'price', type: 'double' },
      { name: 'referrer', type: 'string' },
    ]);
  });

  it('widens unrelated types to string, and integers within their family', () => {
    expect(widerType('tinyint', 'int')).to.equal('int');
    expect(widerType('float', 'bigint')).to.equal('double');
    expect(widerType('boolean', 'bigint')).to.equal('string');
    expect(widerType('array<string>', 'string')).to.equal('string');
  });

  for (const [duckdb, hive] of [
    ['VARCHAR', 'string'],
    ['BIGINT', 'bigint'],
    ['INTEGER', 'int'],
    ['DOUBLE', 'double'],
    ['BOOLEAN', 'boolean'],
    ['TIMESTAMP WITH TIME ZONE', 'timestamp'],
    ['DATE', 'date'],
    ['DECIMAL(18,3)', 'decimal(18,3)'],
    ['HUGEINT', 'decimal(38,0)'],
    ['VARCHAR[]', 'array<string>'],
    ['STRUCT(d BIGINT[], "e f" VARCHAR)', 'struct<d:array<bigint>,e f:string>'],
    ['MAP(VARCHAR, INTEGER)', 'map<string,int>'],
    ['JSON', 'string'],
    ['UUID', 'string'],
  ] as const) {
    it(`writes DuckDB's ${duckdb} as Hive's ${hive}`, () => {
      expect(hiveTypeOf(duckdb)).to.equal(hive);
    });
  }
});
