import { createRequire } from 'node:module';

// The package's own types do not declare RecordAggregator (only its callback-style aggregate()).
const { RecordAggregator } = createRequire(import.meta.url)('aws-kinesis-agg') as {
  RecordAggregator: new () => KplAggregator;
};

/**
 * Readings packed as a KPL aggregated record (aws-kinesis-agg), as a device gateway with the Kinesis
 * Producer Library puts them: one Kinesis record of many user records, under one partition key. Each
 * returned buffer stays within Kinesis's 1 MiB record limit.
 * https://github.com/awslabs/amazon-kinesis-producer/blob/master/aggregation-format.md
 */
export function kplAggregated(partitionKey: string, userRecords: readonly Buffer[]): Buffer[] {
  const aggregator = new RecordAggregator();
  const built: Buffer[] = [];
  for (const data of userRecords) {
    const record = { partitionKey, data };
    if (!aggregator.checkIfUserRecordFits(record)) built.push(aggregator.build().data);
    aggregator.addUserRecord(record);
  }
  if (aggregator.length() > 0) built.push(aggregator.build().data);
  return built;
}

interface KplAggregator {
  checkIfUserRecordFits(record: { partitionKey: string; data: Buffer }): boolean;
  addUserRecord(record: { partitionKey: string; data: Buffer }): void;
  build(): { partitionKey: string; data: Buffer };
  length(): number;
}
