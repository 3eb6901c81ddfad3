import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { expect } from 'chai';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import { startKinesis } from '../../src/emulators/kinesis/kinesalite';
import { clientConfig, makeDataDir, removeDataDir, stopAndAssertGone, timed } from './support';

describe('Kinesis emulator (kinesalite)', function () {
  this.timeout(60_000);
  const StreamName = 'telemetry';
  let dataDir: string;
  let emulator: RunningEmulator | undefined;
  let kinesis: KinesisClient;

  const start = async () => {
    emulator = await timed('kinesis', async () => startKinesis({ port: await findFreePort(), dataDir }));
    kinesis = new KinesisClient({ ...clientConfig(emulator), requestHandler: new NodeHttpHandler() });
    return emulator;
  };
  const readShard = async () => {
    const { ShardIterator } = await kinesis.send(
      new GetShardIteratorCommand({
        StreamName,
        ShardId: 'shardId-000000000000',
        ShardIteratorType: 'TRIM_HORIZON',
      }),
    );
    const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
    return Records?.map((record) => Buffer.from(record.Data ?? []).toString());
  };

  before(async () => {
    dataDir = await makeDataDir('kinesis');
    await start();
  });

  after(async () => {
    kinesis?.destroy();
    await stopAndAssertGone(emulator);
    await removeDataDir(dataDir);
  });

  it('creates an ACTIVE stream at once and returns the records put on it', async () => {
    await kinesis.send(new CreateStreamCommand({ StreamName, ShardCount: 1 }));
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName }));

    await kinesis.send(
      new PutRecordCommand({ StreamName, PartitionKey: 'device#1', Data: Buffer.from('{"t":21}') }),
    );

    expect(StreamDescriptionSummary?.StreamStatus).to.equal('ACTIVE');
    expect(await readShard()).to.deep.equal(['{"t":21}']);
  });

  it('keeps streams and records across a restart with the same dataDir', async () => {
    kinesis.destroy();
    await stopAndAssertGone(emulator);
    await start();

    expect(await readShard()).to.deep.equal(['{"t":21}']);
  });

  it('refuses to start a second emulator on a dataDir in use instead of crashing the process', async () => {
    const error = await startKinesis({ port: await findFreePort(), dataDir }).catch((e: unknown) => e);

    expect(error).to.be.an('error').with.property('name', 'EmulatorStartError');
  });
});
