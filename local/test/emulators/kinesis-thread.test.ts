import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import { expect } from 'chai';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import { kinesis as kinesisDefinition } from '../../src/emulators/kinesis';
import { type RunningKinesisThread, startKinesisThread } from '../../src/emulators/kinesis/kinesis-thread';
import {
  clientConfig,
  credentials,
  makeDataDir,
  portOf,
  region,
  removeDataDir,
  stopAndAssertGone,
  timed,
} from './support';

describe('Kinesis emulator in a worker thread of its own (the registry starts it so)', function () {
  this.timeout(60_000);
  let dataDir: string;
  let emulator: RunningEmulator | undefined;

  const start = async () =>
    timed('kinesis thread', async () =>
      kinesisDefinition.start({
        port: await findFreePort(),
        dataDir,
        region,
        credentials,
        endpointOf: () => {
          throw new Error('kinesis needs no other emulator');
        },
        log: () => undefined,
      }),
    );

  before(async () => {
    dataDir = await makeDataDir('kinesis-thread');
  });

  after(async () => {
    await stopAndAssertGone(emulator);
    await removeDataDir(dataDir);
  });

  it("serves the SDK's default client from its thread, large answers whole, and keeps them across a restart", async () => {
    // Prepare: 2,000 records of 1,500 bytes, read back in one GetRecords of about 4 MB over HTTP/2.
    emulator = await start();
    const payloads = Array.from({ length: 2_000 }, (_, index) =>
      Buffer.alloc(1_500, `${index.toString(36)}.`),
    );
    const read = async (kinesis: KinesisClient) => {
      const { ShardIterator } = await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: 'readings',
          ShardId: 'shardId-000000000000',
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      const { Records = [] } = await kinesis.send(new GetRecordsCommand({ ShardIterator, Limit: 10_000 }));
      return Records.map((record) => Buffer.from(record.Data ?? []).toString());
    };

    // Act: put and read on one start, then read again after a restart
    const onThread = (emulator as RunningKinesisThread).threadId;
    let kinesis = new KinesisClient(clientConfig(emulator));
    let readBack: string[];
    try {
      await kinesis.send(new CreateStreamCommand({ StreamName: 'readings', ShardCount: 1 }));
      for (let start = 0; start < payloads.length; start += 500)
        await kinesis.send(
          new PutRecordsCommand({
            StreamName: 'readings',
            Records: payloads
              .slice(start, start + 500)
              .map((Data, index) => ({ PartitionKey: `device#${index % 7}`, Data })),
          }),
        );
      readBack = await read(kinesis);
    } finally {
      kinesis.destroy();
    }
    await stopAndAssertGone(emulator);
    emulator = await start();
    kinesis = new KinesisClient(clientConfig(emulator));
    let readAfterRestart: string[];
    try {
      readAfterRestart = await read(kinesis);
    } finally {
      kinesis.destroy();
    }

    // Assess
    expect(onThread, 'a worker thread, not the main one (0)').to.be.greaterThan(0);
    expect(readBack).to.deep.equal(payloads.map(String));
    expect(readAfterRestart).to.have.length(payloads.length);
  });

  it('refuses a second emulator on a dataDir in use with the start-up error it would give in-process', async () => {
    const ownDir = await makeDataDir('kinesis-thread-lock');
    const holder = await startKinesisThread({ port: await findFreePort(), dataDir: ownDir });
    try {
      const error = await startKinesisThread({ port: await findFreePort(), dataDir: ownDir }).catch(
        (e: unknown) => e,
      );

      expect(error).to.be.an('error').with.property('name', 'EmulatorStartError');
      expect((error as Error).message).to.match(/cannot open its store/);
      expect(String((error as Error).cause), "leveldown's own reason").to.match(/lock/i);
    } finally {
      await stopAndAssertGone(holder);
      await removeDataDir(ownDir);
    }
  });

  it('refuses a port already taken with the start-up error', async () => {
    const ownDir = await makeDataDir('kinesis-thread-port');
    const holder = await startKinesisThread({ port: await findFreePort(), dataDir: ownDir });
    const otherDir = await makeDataDir('kinesis-thread-port-2');
    try {
      const error = await startKinesisThread({ port: portOf(holder), dataDir: otherDir }).catch(
        (e: unknown) => e,
      );

      expect(error).to.be.an('error').with.property('name', 'EmulatorStartError');
      expect((error as Error).message).to.match(/could not listen/);
    } finally {
      await stopAndAssertGone(holder);
      await removeDataDir(ownDir);
      await removeDataDir(otherDir);
    }
  });
});
