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
import { assertJavaRuntime, startDynamoDb } from '../../src/emulators/dynamodb/dynamodb-local';
import { findFreePort, type RunningEmulator } from '../../src/emulators/emulator';
import { clientConfig, makeDataDir, removeDataDir, stopAndAssertGone, timed } from './support';

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

  it('keeps its tables and items across a restart with the same dataDir', async () => {
    dynamodb.destroy();
    await stopAndAssertGone(emulator);
    await start();

    const { Item } = await dynamodb.send(
      new GetItemCommand({ TableName: 'devices', Key: { pk: { S: 'device#1' } } }),
    );

    expect(Item?.threshold).to.deep.equal({ N: '42' });
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
