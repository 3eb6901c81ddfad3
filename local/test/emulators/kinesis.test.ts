import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { expect } from 'chai';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import { prefaceVerdict } from '../../src/emulators/kinesis/http2-front';
import { startKinesis } from '../../src/emulators/kinesis/kinesalite';
import { clientConfig, makeDataDir, removeDataDir, stopAndAssertGone, timed } from './support';

describe('Kinesis emulator (kinesalite behind an HTTP/2 and HTTP/1.1 front)', function () {
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

  it("serves the SDK's default client (HTTP/2) and an HTTP/1.1 client the same stream", async () => {
    const defaultClient = new KinesisClient(clientConfig(emulator as RunningEmulator));
    try {
      // Prepare: one record from each protocol.
      await defaultClient.send(
        new PutRecordsCommand({
          StreamName,
          Records: [{ PartitionKey: 'device#2', Data: Buffer.from('{"t":22}') }],
        }),
      );
      await kinesis.send(
        new PutRecordCommand({ StreamName, PartitionKey: 'device#3', Data: Buffer.from('{"t":23}') }),
      );

      // Act: read with the default client, over several requests of one HTTP/2 session.
      const { ShardIterator } = await defaultClient.send(
        new GetShardIteratorCommand({
          StreamName,
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const { Records } = await defaultClient.send(new GetRecordsCommand({ ShardIterator }));

      // Assess
      expect(Records?.map((record) => Buffer.from(record.Data ?? []).toString())).to.deep.equal([
        '{"t":21}',
        '{"t":22}',
        '{"t":23}',
      ]);
      expect(await readShard()).to.have.length(3);
    } finally {
      defaultClient.destroy();
    }
  });

  it('takes a PutRecords body of many HTTP/2 DATA frames whole, every byte in order', async () => {
    const defaultClient = new KinesisClient(clientConfig(emulator as RunningEmulator));
    try {
      // Prepare: a stream of its own; 400 records of 7,000 bytes, about 3.7 MB of JSON in 16 KB frames.
      await defaultClient.send(new CreateStreamCommand({ StreamName: 'bulk', ShardCount: 1 }));
      const payloads = Array.from({ length: 400 }, (_, index) =>
        Buffer.alloc(7_000, `${index.toString(36)}-`),
      );

      // Act
      const { FailedRecordCount } = await defaultClient.send(
        new PutRecordsCommand({
          StreamName: 'bulk',
          Records: payloads.map((Data, index) => ({ PartitionKey: `device#${index}`, Data })),
        }),
      );

      // Assess
      expect(FailedRecordCount).to.equal(0);
      const { ShardIterator } = await defaultClient.send(
        new GetShardIteratorCommand({
          StreamName: 'bulk',
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const { Records = [] } = await defaultClient.send(new GetRecordsCommand({ ShardIterator }));
      expect(Records.map((record) => Buffer.from(record.Data ?? []).toString())).to.deep.equal(
        payloads.map((payload) => payload.toString()),
      );
    } finally {
      defaultClient.destroy();
    }
  });

  it('tells the HTTP/2 preface from an HTTP/1.1 request line, however the first bytes arrive', () => {
    expect(prefaceVerdict(Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'))).to.equal('http2');
    expect(prefaceVerdict(Buffer.from('PRI * HT'))).to.equal('undecided');
    expect(prefaceVerdict(Buffer.from('P'))).to.equal('undecided');
    expect(prefaceVerdict(Buffer.from('POST / HTTP/1.1\r\n'))).to.equal('http1');
    expect(prefaceVerdict(Buffer.from('PRI * HTTP/1.1\r\n\r\n'))).to.equal('http1');
  });

  it('stops with an HTTP/2 session still open', async () => {
    const defaultClient = new KinesisClient(clientConfig(emulator as RunningEmulator));
    await defaultClient.send(new DescribeStreamSummaryCommand({ StreamName }));

    await stopAndAssertGone(emulator);

    defaultClient.destroy();
    await start();
    // kinesalite opens its store after it returns: a first call waits for it, as the next test needs.
    expect(await readShard()).to.have.length(3);
  });

  it('refuses to start a second emulator on a dataDir in use instead of crashing the process', async () => {
    const error = await startKinesis({ port: await findFreePort(), dataDir }).catch((e: unknown) => e);

    expect(error).to.be.an('error').with.property('name', 'EmulatorStartError');
  });
});
