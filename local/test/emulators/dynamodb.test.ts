import { existsSync } from 'node:fs';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { expect } from 'chai';
import {
  assertJavaRuntime,
  compileLoopbackLauncher,
  findJarDir,
  type RunningDynamoDb,
  startDynamoDb,
} from '../../src/emulators/dynamodb/dynamodb-local';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import {
  accepts,
  LOOPBACK_ADDRESSES,
  listeningAddresses,
  NO_OTHER_ADDRESS,
  OTHER_ADDRESSES,
} from '../network';
import { clientConfig, makeDataDir, portOf, removeDataDir, stopAndAssertGone, timed } from './support';

describe('DynamoDB Local emulator', function () {
  this.timeout(60_000);
  let dataDir: string;
  let emulator: RunningEmulator | undefined;
  let dynamodb: DynamoDBClient;

  const start = async () => {
    emulator = await timed('dynamodb', async () => startDynamoDb({ port: await findFreePort(), dataDir }));
    dynamodb = new DynamoDBClient(clientConfig(emulator));
    return emulator;
  };

  before(async () => {
    dataDir = await makeDataDir('dynamodb');
    await start();
  });

  after(async () => {
    dynamodb?.destroy();
    await stopAndAssertGone(emulator);
    await removeDataDir(dataDir);
  });

  it('runs as a child process and delivers item changes on the table stream', async () => {
    const running = emulator as RunningEmulator;
    expect(running.pid).to.be.a('number');
    const table = await dynamodb.send(
      new CreateTableCommand({
        TableName: 'devices',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      }),
    );
    await dynamodb.send(
      new PutItemCommand({ TableName: 'devices', Item: { pk: { S: 'device#1' }, threshold: { N: '42' } } }),
    );

    const streams = new DynamoDBStreamsClient(clientConfig(running));
    try {
      const StreamArn = table.TableDescription?.LatestStreamArn;
      const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn }));
      const ShardId = StreamDescription?.Shards?.[0]?.ShardId;
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      const { Records } = await streams.send(new GetRecordsCommand({ ShardIterator }));

      expect(Records?.map((record) => record.eventName)).to.deep.equal(['INSERT']);
      expect(Records?.[0]?.dynamodb?.NewImage).to.deep.equal({
        pk: { S: 'device#1' },
        threshold: { N: '42' },
      });
    } finally {
      streams.destroy();
    }
  });

  it(`listens on 127.0.0.1 only, not on the machine's other addresses${
    OTHER_ADDRESSES.length === 0 ? ` (${NO_OTHER_ADDRESS})` : ''
  }`, async () => {
    const port = portOf(emulator as RunningEmulator);

    expect((emulator as RunningDynamoDb).launch.loopbackOnly).to.equal(true);
    expect(await listeningAddresses(port))
      .to.have.length.greaterThan(0)
      .and.satisfy((addresses: string[]) =>
        addresses.every((address) => LOOPBACK_ADDRESSES.includes(address)),
      );
    for (const address of OTHER_ADDRESSES) expect(await accepts(address, port), address).to.equal(false);
    expect(await accepts('127.0.0.1', port)).to.equal(true);
    expect((emulator as RunningDynamoDb).warnings).to.deep.equal([]);
  });

  it('keeps its tables and items across a restart with the same dataDir', async () => {
    dynamodb.destroy();
    await stopAndAssertGone(emulator);
    await start();

    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: 'devices', Key: { pk: { S: 'device#1' } } }),
    );

    expect(Item?.threshold).to.deep.equal({ N: '42' });
  });

  describe('the loopback launcher', () => {
    /** A `java` that behaves as the real one, except as `script` (sh, given "$@") decides first. */
    const wrappedJava = async (name: string, script: string) => {
      const path = join(dataDir, name);
      await writeFile(path, `#!/bin/sh\n${script}\nexec java "$@"\n`);
      await chmod(path, 0o755);
      return path;
    };
    const NO_COMPILER_MODULE = `case "$*" in *jdk.compiler*) echo 'Error occurred during initialization of boot layer' >&2; echo 'java.lang.module.FindException: Module jdk.compiler not found' >&2; exit 1;; esac`;

    it('is compiled once: a second start finds it in the cache, even without a compiler', async () => {
      const cacheDir = join(dataDir, 'cache-once');
      const jarDir = await findJarDir();

      const first = await compileLoopbackLauncher({ jarDir, cacheDir, java: 'java', javac: 'javac' });
      const second = await compileLoopbackLauncher({
        jarDir,
        cacheDir,
        java: await wrappedJava('java-no-compiler-once', NO_COMPILER_MODULE),
        javac: join(dataDir, 'no-such-javac'),
      });

      expect(first).to.include({ loopbackOnly: true });
      expect(second).to.deep.equal(first);
      expect(
        existsSync(join((first as { classDir: string }).classDir, 'LoopbackDynamoDbLocal.class')),
      ).to.equal(true);
    });

    const fallbacks = [
      {
        name: 'a Java without the jdk.compiler module, and no javac',
        script: NO_COMPILER_MODULE,
        why: 'no jdk.compiler module',
      },
      {
        name: 'a DynamoDB Local release the launcher does not recognise',
        script: `case "$*" in *" LoopbackDynamoDbLocal "*) echo 'LoopbackDynamoDbLocal: cannot bind DynamoDB Local to 127.0.0.1: no Jetty server field' >&2; exit 3;; esac`,
        why: 'no Jetty server field',
      },
    ];
    for (const [index, fallback] of fallbacks.entries()) {
      it(`runs the jar on every interface with ${fallback.name}, and warns`, async () => {
        const fallbackData = join(dataDir, `fallback-${index}`);
        const running = await startDynamoDb({
          port: await findFreePort(),
          dataDir: fallbackData,
          java: await wrappedJava(`java-fallback-${index}`, fallback.script),
          javac: join(dataDir, 'no-such-javac'),
          cacheDir: join(dataDir, `cache-fallback-${index}`),
        });
        try {
          const port = portOf(running);

          expect(running.launch).to.include({ loopbackOnly: false });
          expect(running.warnings).to.have.lengthOf(1);
          expect(running.warnings?.[0]).to.include('every network interface').and.include(fallback.why);
          expect(await listeningAddresses(port)).to.satisfy((addresses: string[]) =>
            addresses.some((address) => !LOOPBACK_ADDRESSES.includes(address)),
          );
          for (const address of OTHER_ADDRESSES) expect(await accepts(address, port), address).to.equal(true);
        } finally {
          await stopAndAssertGone(running);
        }
      });
    }
  });

  describe('Java check', () => {
    const fakeJava = async (versionLine: string) => {
      const path = join(dataDir, `java-${versionLine.replace(/\W+/g, '-')}`);
      await writeFile(path, `#!/bin/sh\necho '${versionLine}' >&2\n`);
      await chmod(path, 0o755);
      return path;
    };

    it('accepts the installed Java 17+', async () => {
      expect(await assertJavaRuntime()).to.be.at.least(17);
    });

    it('says how to install Java when it is missing', async () => {
      const error = await assertJavaRuntime(join(dataDir, 'no-such-java')).catch((e: unknown) => e);

      expect(error)
        .to.be.an('error')
        .with.property('message')
        .that.includes('apt-get install openjdk-17-jre-headless');
      expect((error as Error).message).to.include('brew install openjdk@17');
    });

    for (const versionLine of ['openjdk version "11.0.22" 2024-01-16', 'java version "1.8.0_392"']) {
      it(`refuses ${versionLine}`, async () => {
        const error = await assertJavaRuntime(await fakeJava(versionLine)).catch((e: unknown) => e);

        expect(error)
          .to.be.an('error')
          .with.property('message')
          .that.includes(versionLine.split(' ')[2] ?? '');
        expect((error as Error).message).to.include('apt-get install openjdk-17-jre-headless');
      });
    }

    it('accepts a Java that reports only its major version', async () => {
      expect(await assertJavaRuntime(await fakeJava('openjdk version "21" 2023-09-19'))).to.equal(21);
    });
  });
});
