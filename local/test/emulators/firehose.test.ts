import { gunzipSync } from 'node:zlib';
import {
  DescribeDeliveryStreamCommand,
  type FirehoseClient,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-firehose';
import { expect } from 'chai';
import { findFreePort } from '../../src/emulators/emulator';
import type { DeliveryStreamConfig } from '../../src/emulators/firehose/delivery-stream-config';
import { type RunningFirehose, startFirehose } from '../../src/emulators/firehose/start-firehose';
import { firehoseTransformation } from '../aws-samples';
import {
  ACCOUNT,
  BUCKET,
  FUNCTION_ARN,
  fakeTransformer,
  firehoseClient,
  lambdaProcessing,
  memoryObjectStore,
  putAll,
  REGION,
  rejection,
  streamConfig,
  type TransformEvent,
  upperCaseLines,
  waitFor,
} from './firehose-support';
import { makeDataDir, removeDataDir, stopAndAssertGone } from './support';

const MIB = 1024 * 1024;

/** The contract of item 1 of the clickstream issue, rule by rule, through the real SDK client. */
describe('Firehose emulator', function () {
  this.timeout(30_000);
  let dataDir: string;
  let firehose: RunningFirehose | undefined;
  let client: FirehoseClient;

  const start = async () => {
    firehose = await startFirehose({
      port: await findFreePort(),
      dataDir,
      region: REGION,
      accountId: ACCOUNT,
      tickMs: 5,
      retryDelayMs: () => 1,
    });
    client = firehoseClient(firehose);
    return firehose;
  };
  /** Loads `streams` with a fresh in-memory S3 and the given transformation. */
  const load = async (
    streams: DeliveryStreamConfig[],
    transformer = fakeTransformer(upperCaseLines),
    metrics: Record<string, unknown>[] = [],
  ) => {
    const objects = memoryObjectStore();
    await (firehose as RunningFirehose).load({
      deliveryStreams: streams,
      invoker: transformer,
      objects,
      publishMetrics: (document) => metrics.push(document),
    });
    return { objects, transformer, metrics };
  };

  beforeEach(async () => {
    dataDir = await makeDataDir('firehose');
    await start();
  });
  afterEach(async () => {
    client?.destroy();
    await stopAndAssertGone(firehose);
    await removeDataDir(dataDir);
  });

  describe('API', () => {
    it('lists and describes the loaded streams, and names an unknown one as AWS does', async () => {
      await load([
        streamConfig('clicks', { ProcessingConfiguration: lambdaProcessing() }),
        streamConfig('logs'),
      ]);

      const listed = await client.send(new ListDeliveryStreamsCommand({}));
      const { DeliveryStreamDescription } = await client.send(
        new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'clicks' }),
      );
      const unknown = await rejection(
        client.send(new PutRecordCommand({ DeliveryStreamName: 'nope', Record: { Data: Buffer.from('x') } })),
      );

      expect(listed).to.include({ HasMoreDeliveryStreams: false });
      expect(listed.DeliveryStreamNames).to.deep.equal(['clicks', 'logs']);
      expect(DeliveryStreamDescription).to.include({
        DeliveryStreamName: 'clicks',
        DeliveryStreamARN: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/clicks`,
        DeliveryStreamStatus: 'ACTIVE',
        DeliveryStreamType: 'DirectPut',
      });
      expect(DeliveryStreamDescription?.CreateTimestamp).to.be.instanceOf(Date);
      const destination = DeliveryStreamDescription?.Destinations?.[0]?.ExtendedS3DestinationDescription;
      expect(destination?.BucketARN).to.equal(`arn:aws:s3:::${BUCKET}`);
      expect(destination?.ProcessingConfiguration?.Processors?.[0]?.Parameters).to.deep.include({
        ParameterName: 'LambdaArn',
        ParameterValue: FUNCTION_ARN,
      });
      expect(unknown).to.be.instanceOf(ResourceNotFoundException);
      expect((unknown as Error).message).to.equal(`Firehose nope under account ${ACCOUNT} not found.`);
    });

    it('pages ListDeliveryStreams with Limit and ExclusiveStartDeliveryStreamName', async () => {
      await load([streamConfig('a'), streamConfig('b'), streamConfig('c')]);

      const first = await client.send(new ListDeliveryStreamsCommand({ Limit: 2 }));
      const rest = await client.send(
        new ListDeliveryStreamsCommand({ Limit: 2, ExclusiveStartDeliveryStreamName: 'b' }),
      );

      expect(first).to.deep.include({ DeliveryStreamNames: ['a', 'b'], HasMoreDeliveryStreams: true });
      expect(rest).to.deep.include({ DeliveryStreamNames: ['c'], HasMoreDeliveryStreams: false });
    });

    it('answers PutRecord with a record id and delivers the record', async () => {
      const { objects } = await load([streamConfig('logs')]);

      const { RecordId, Encrypted } = await client.send(
        new PutRecordCommand({ DeliveryStreamName: 'logs', Record: { Data: Buffer.from('one\n') } }),
      );

      expect(RecordId).to.match(/^\d{56}$/);
      expect(Encrypted).to.equal(false);
      expect(
        await waitFor(
          'the object',
          () => objects.lines('raw/logs/'),
          (lines) => lines.length === 1,
        ),
      ).to.deep.equal(['one']);
    });

    it('refuses a batch of more than 500 records, and accepts 500', async () => {
      const { objects } = await load([streamConfig('logs')]);
      const records = (count: number) =>
        Array.from({ length: count }, (_, index) => ({ Data: Buffer.from(`${index}\n`) }));

      const refused = await rejection(
        client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'logs', Records: records(501) })),
      );
      const accepted = await client.send(
        new PutRecordBatchCommand({ DeliveryStreamName: 'logs', Records: records(500) }),
      );

      expect(refused.name).to.equal('ValidationException');
      expect(refused.message).to.include('less than or equal to 500');
      expect(accepted.FailedPutCount).to.equal(0);
      expect(accepted.RequestResponses).to.have.length(500);
      await waitFor(
        '500 lines',
        () => objects.lines('raw/logs/'),
        (lines) => lines.length === 500,
      );
    });

    it('refuses a record over 1,000 KiB, and accepts one of 1,000 KiB', async () => {
      await load([streamConfig('logs')]);

      const refused = await rejection(
        client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: 'logs',
            Records: [{ Data: Buffer.alloc(1_000 * 1024 + 1, 97) }],
          }),
        ),
      );
      const accepted = await client.send(
        new PutRecordCommand({
          DeliveryStreamName: 'logs',
          Record: { Data: Buffer.alloc(1_000 * 1024, 97) },
        }),
      );

      expect(refused.name).to.equal('ValidationException');
      expect(accepted.RecordId).to.be.a('string');
    });

    it('refuses a batch over 4 MiB as a whole', async () => {
      await load([streamConfig('logs')]);
      const Records = Array.from({ length: 5 }, () => ({ Data: Buffer.alloc(900 * 1024, 97) }));

      const refused = await rejection(
        client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'logs', Records })),
      );

      expect(refused.name).to.equal('InvalidArgumentException');
      expect(firehose?.pending('logs')).to.equal(0);
    });

    it('fails records alone: FailedPutCount, and an ErrorCode in place of a RecordId', async () => {
      const { objects } = await load([streamConfig('logs')]);
      await armFault({ fault: 'PutRecordBatch.record', deliveryStreamName: 'logs', every: 2 });

      const response = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: 'logs',
          Records: ['a', 'b', 'c', 'd'].map((text) => ({ Data: Buffer.from(`${text}\n`) })),
        }),
      );

      expect(response.FailedPutCount).to.equal(2);
      expect(response.RequestResponses?.map((entry) => entry.ErrorCode ?? 'ok')).to.deep.equal([
        'ok',
        'ServiceUnavailableException',
        'ok',
        'ServiceUnavailableException',
      ]);
      expect(response.RequestResponses?.[1]).to.deep.equal({
        ErrorCode: 'ServiceUnavailableException',
        ErrorMessage: 'Slow down.',
      });
      expect(response.RequestResponses?.[0]?.RecordId).to.match(/^\d{56}$/);
      expect(
        await waitFor(
          'two lines',
          () => objects.lines('raw/logs/'),
          (lines) => lines.length === 2,
        ),
      ).to.deep.equal(['a', 'c']);
    });
  });

  describe('buffering hints', () => {
    it('writes an object once the destination buffer holds SizeInMBs, before its interval', async () => {
      const { objects } = await load([
        streamConfig('logs', { BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 } }),
      ]);
      const line = `${'x'.repeat(1023)}\n`;

      await putAll(
        client,
        'logs',
        Array.from({ length: 400 }, () => line),
      );
      await putAll(
        client,
        'logs',
        Array.from({ length: 700 }, () => line),
      );

      const written = await waitFor(
        'a 1 MiB object',
        () => objects.under('raw/logs/'),
        (found) => found.length === 1,
      );
      expect(written[0]?.body.length).to.be.at.least(MIB);
      expect(firehose?.pending('logs'), 'records past the size wait for the interval').to.be.greaterThan(0);
    });

    it('sends the processor a batch once it holds BufferSizeInMBs, before its interval', async () => {
      const { transformer } = await load([
        streamConfig('clicks', {
          ProcessingConfiguration: lambdaProcessing({ BufferSizeInMBs: '1', BufferIntervalInSeconds: '900' }),
        }),
      ]);
      const line = 'y'.repeat(1024);

      await putAll(
        client,
        'clicks',
        Array.from({ length: 300 }, () => line),
      );
      await putAll(
        client,
        'clicks',
        Array.from({ length: 800 }, () => line),
      );

      const events = await waitFor(
        'an invocation',
        () => transformer.events,
        (found) => found.length === 1,
      );
      expect(events[0]?.records.length).to.equal(1024);
    });
  });

  describe('transformation', () => {
    it('invokes the function with the fields of AWS sample event, record data in base64', async () => {
      const { transformer } = await load([
        streamConfig('clicks', { ProcessingConfiguration: lambdaProcessing() }),
      ]);
      const before = Date.now();

      await putAll(client, 'clicks', ['hello']);

      const [event] = await waitFor(
        'an invocation',
        () => transformer.events,
        (events) => events.length === 1,
      );
      const sample: TransformEvent = firehoseTransformation;
      expect(Object.keys(event as TransformEvent).sort()).to.deep.equal(Object.keys(sample).sort());
      expect(Object.keys(event?.records[0] ?? {}).sort()).to.deep.equal(
        Object.keys(sample.records[0] ?? {}).sort(),
      );
      expect(event).to.include({
        deliveryStreamArn: `arn:aws:firehose:${REGION}:${ACCOUNT}:deliverystream/clicks`,
        region: REGION,
      });
      expect(event?.invocationId).to.be.a('string').and.not.equal('');
      expect(Buffer.from(event?.records[0]?.data ?? '', 'base64').toString()).to.equal('hello');
      expect(event?.records[0]?.approximateArrivalTimestamp).to.be.within(before, Date.now());
    });

    it('delivers Ok data, drops Dropped, and writes ProcessingFailed records with AWS error fields', async () => {
      const { objects } = await load([
        streamConfig('clicks', { ProcessingConfiguration: lambdaProcessing() }),
      ]);
      const before = Date.now();

      await putAll(client, 'clicks', ['keep me', 'drop me', 'fail me']);

      const errors = await waitFor(
        'the failed record',
        () => objects.lines('errors/clicks/'),
        (lines) => lines.length === 1,
      );
      await waitFor(
        'the Ok record',
        () => objects.lines('raw/clicks/'),
        (lines) => lines.length === 1,
      );
      expect(objects.lines('raw/clicks/')).to.deep.equal(['KEEP ME']);
      expect(objects.under('errors/clicks/processing-failed/')).to.have.length(1);
      const failed = JSON.parse(errors[0] as string) as Record<string, unknown>;
      expect(Object.keys(failed)).to.have.members([
        'attemptsMade',
        'arrivalTimestamp',
        'errorCode',
        'errorMessage',
        'attemptEndingTimestamp',
        'rawData',
        'lambdaArn',
      ]);
      expect(failed).to.include({
        attemptsMade: 1,
        errorCode: 'Lambda.ProcessingFailedStatus',
        lambdaArn: FUNCTION_ARN,
      });
      expect(Buffer.from(String(failed.rawData), 'base64').toString()).to.equal('fail me');
      expect(failed.arrivalTimestamp).to.be.within(before, failed.attemptEndingTimestamp as number);
      await waitFor(
        'nothing left',
        () => firehose?.pending('clicks'),
        (pending) => pending === 0,
      );
    });

    const wholeInvocationFailures: [string, (event: TransformEvent) => unknown, string][] = [
      ['a record id missing', (event) => ({ records: okRecords(event).slice(1) }), 'Lambda.MissingRecordId'],
      [
        'an unknown record id',
        (event) => ({
          records: [...okRecords(event).slice(1), { recordId: 'stranger', result: 'Ok', data: '' }],
        }),
        'Lambda.JsonProcessingException',
      ],
      [
        'a result that is not Ok, Dropped or ProcessingFailed',
        (event) => ({ records: okRecords(event).map((record) => ({ ...record, result: 'Done' })) }),
        'Lambda.JsonProcessingException',
      ],
      [
        'a record id twice',
        (event) => ({ records: [...okRecords(event), ...okRecords(event).slice(0, 1)] }),
        'Lambda.DuplicatedRecordId',
      ],
      ['no records array', () => ({ result: 'Ok' }), 'Lambda.JsonProcessingException'],
    ];
    for (const [what, respond, errorCode] of wholeInvocationFailures) {
      it(`fails the whole invocation on ${what}, retries it NumberOfRetries times, then writes every record to the error prefix`, async () => {
        const transformer = fakeTransformer((event) => ({ payload: respond(event) }));
        const { objects } = await load(
          [streamConfig('clicks', { ProcessingConfiguration: lambdaProcessing({ NumberOfRetries: '2' }) })],
          transformer,
        );

        await putAll(client, 'clicks', ['one', 'two']);

        const lines = await waitFor(
          'two failed records',
          () => objects.lines('errors/clicks/processing-failed/'),
          (found) => found.length === 2,
        );
        const failed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
        expect(transformer.events).to.have.length(3);
        expect(failed.map((record) => [record.errorCode, record.attemptsMade])).to.deep.equal([
          [errorCode, 3],
          [errorCode, 3],
        ]);
        expect(
          failed.map((record) => Buffer.from(String(record.rawData), 'base64').toString()),
        ).to.deep.equal(['one', 'two']);
        expect(objects.under('raw/clicks/')).to.have.length(0);
      });
    }

    it('fails an invocation whose response is over 6 MB, as Lambda refuses it', async () => {
      const transformer = fakeTransformer((event) => ({
        payload: { records: okRecords(event) },
        payloadBytes: 6 * MIB + 1,
      }));
      const { objects } = await load(
        [streamConfig('clicks', { ProcessingConfiguration: lambdaProcessing() })],
        transformer,
      );

      await putAll(client, 'clicks', ['big']);

      const [line] = await waitFor(
        'the failed record',
        () => objects.lines('errors/clicks/'),
        (found) => found.length === 1,
      );
      expect(JSON.parse(line as string)).to.include({ errorCode: 'Lambda.FunctionError' });
    });

    it('retries a function error three times by default (four attempts) before the error prefix', async () => {
      const transformer = fakeTransformer(() => ({
        payload: { errorMessage: 'boom' },
        functionError: 'Unhandled',
      }));
      const { objects } = await load(
        [streamConfig('clicks', { ProcessingConfiguration: lambdaProcessing() })],
        transformer,
      );

      await putAll(client, 'clicks', ['one']);

      const [line] = await waitFor(
        'the failed record',
        () => objects.lines('errors/clicks/'),
        (found) => found.length === 1,
      );
      expect(JSON.parse(line as string)).to.include({
        attemptsMade: 4,
        errorCode: 'Lambda.FunctionError',
        errorMessage: 'The Lambda function was successfully invoked but it returned an error result.',
      });
      expect(transformer.events).to.have.length(4);
    });

    it('delivers a batch whose retry succeeds, with nothing in the error prefix', async () => {
      const transformer = fakeTransformer((event, call) =>
        call === 1
          ? { payload: { errorMessage: 'cold' }, functionError: 'Unhandled' }
          : upperCaseLines(event),
      );
      const { objects } = await load(
        [streamConfig('clicks', { ProcessingConfiguration: lambdaProcessing() })],
        transformer,
      );

      await putAll(client, 'clicks', ['again']);

      await waitFor(
        'the record',
        () => objects.lines('raw/clicks/'),
        (lines) => lines.length === 1,
      );
      await waitFor(
        'nothing left',
        () => firehose?.pending('clicks'),
        (pending) => pending === 0,
      );
      expect(objects.lines('raw/clicks/')).to.deep.equal(['AGAIN']);
      expect(objects.under('errors/')).to.have.length(0);
    });

    it('fails every n-th invocation when a test arms Lambda.invocation', async () => {
      const { objects } = await load([
        streamConfig('clicks', {
          ProcessingConfiguration: lambdaProcessing({ NumberOfRetries: '0', BufferSizeInMBs: '0.000001' }),
        }),
      ]);
      await armFault({ fault: 'Lambda.invocation', every: 2 });

      await putAll(client, 'clicks', ['a', 'b', 'c', 'd']);

      await waitFor(
        'four records',
        () => [...objects.lines('raw/'), ...objects.lines('errors/')],
        (lines) => lines.length === 4,
      );
      const failed = objects
        .lines('errors/clicks/')
        .map((line) => Buffer.from(JSON.parse(line).rawData, 'base64').toString());
      expect(failed).to.have.length(2);
      expect(
        [...objects.lines('raw/clicks/'), ...failed.map((text) => text.toUpperCase())].sort(),
      ).to.deep.equal(['A', 'B', 'C', 'D']);
    });
  });

  describe('objects', () => {
    it('names objects <prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid><extension>, timestamps from the oldest record', async () => {
      const { objects } = await load([
        streamConfig('logs', {
          Prefix: "raw/logs/!{timestamp:'year='yyyy'/month='MM'/day='dd}/!{firehose:random-string}/",
          FileExtension: '.jsonl',
        }),
      ]);
      const now = new Date();

      await putAll(client, 'logs', ['{"a":1}']);

      const [object] = await waitFor(
        'the object',
        () => objects.under('raw/'),
        (found) => found.length === 1,
      );
      const year = now.getUTCFullYear();
      const month = String(now.getUTCMonth() + 1).padStart(2, '0');
      const day = String(now.getUTCDate()).padStart(2, '0');
      expect(object?.key).to.match(
        new RegExp(
          `^raw/logs/year=${year}/month=${month}/day=${day}/[0-9a-f]{11}/logs-1-${year}-${month}-${day}-\\d{2}-\\d{2}-\\d{2}-[0-9a-f-]{36}\\.jsonl$`,
        ),
      );
      expect(object?.bucket).to.equal(BUCKET);
    });

    it('appends yyyy/MM/dd/HH/ to a prefix without a timestamp, and puts errors under <prefix>processing-failed/ without an ErrorOutputPrefix', async () => {
      const { objects } = await load([
        streamConfig('logs', {
          Prefix: 'plain/',
          ErrorOutputPrefix: undefined,
          ProcessingConfiguration: lambdaProcessing(),
        }),
      ]);

      await putAll(client, 'logs', ['ok', 'fail']);

      await waitFor(
        'two objects',
        () => objects.objects,
        (found) => found.length === 2,
      );
      const keys = objects.objects.map((object) => object.key).sort();
      expect(keys[0]).to.match(/^plain\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/logs-1-/);
      expect(keys[1]).to.match(/^plain\/processing-failed\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/logs-1-/);
    });

    it('compresses with GZIP, and names the object .gz without a FileExtension', async () => {
      const { objects } = await load([streamConfig('logs', { CompressionFormat: 'GZIP' })]);

      await putAll(client, 'logs', ['line 1\n', 'line 2\n']);

      const [object] = await waitFor(
        'the object',
        () => objects.under('raw/'),
        (found) => found.length === 1,
      );
      expect(object?.key).to.match(/\.gz$/);
      expect(gunzipSync(object?.body as Buffer).toString()).to.equal('line 1\nline 2\n');
    });

    it('partitions by the keys the transformation returns (dynamic partitioning)', async () => {
      const transformer = fakeTransformer((event) => ({
        payload: {
          records: event.records.map(({ recordId, data }) => {
            const [type, day] = Buffer.from(data, 'base64').toString().split(' ');
            return {
              recordId,
              result: 'Ok',
              data: Buffer.from(`${type}\n`).toString('base64'),
              ...(type === 'nokey' ? {} : { metadata: { partitionKeys: { type, day } } }),
            };
          }),
        },
      }));
      const { objects } = await load(
        [
          streamConfig('clicks', {
            Prefix: 'raw/clicks/type=!{partitionKeyFromLambda:type}/day=!{partitionKeyFromLambda:day}/',
            DynamicPartitioningConfiguration: { Enabled: true },
            ProcessingConfiguration: lambdaProcessing(),
          }),
        ],
        transformer,
      );

      await putAll(client, 'clicks', [
        'view 2026-01-01',
        'cart 2026-01-01',
        'view 2026-01-02',
        'view 2026-01-01',
        'nokey x',
      ]);

      await waitFor(
        'four objects',
        () => objects.objects,
        (found) => found.length === 4,
      );
      const byPrefix = Object.fromEntries(
        ['type=view/day=2026-01-01/', 'type=cart/day=2026-01-01/', 'type=view/day=2026-01-02/'].map(
          (prefix) => [prefix, objects.lines(`raw/clicks/${prefix}`)],
        ),
      );
      expect(byPrefix).to.deep.equal({
        'type=view/day=2026-01-01/': ['view', 'view'],
        'type=cart/day=2026-01-01/': ['cart'],
        'type=view/day=2026-01-02/': ['view'],
      });
      const [missing] = objects.lines('errors/clicks/');
      expect(JSON.parse(missing as string)).to.include({
        errorCode: 'DynamicPartitioning.MetadataExtractionFailed',
      });
    });

    it('backs up every source record, untransformed, when S3BackupMode is Enabled', async () => {
      const { objects } = await load([
        streamConfig('clicks', {
          ProcessingConfiguration: lambdaProcessing(),
          S3BackupMode: 'Enabled',
          S3BackupConfiguration: {
            BucketARN: `arn:aws:s3:::${BUCKET}`,
            RoleARN: `arn:aws:iam::${ACCOUNT}:role/delivery`,
            Prefix: 'backup/clicks/!{timestamp:yyyy}/',
            BufferingHints: { SizeInMBs: 5, IntervalInSeconds: 0 },
            CompressionFormat: 'GZIP',
          },
        }),
      ]);

      await putAll(client, 'clicks', ['keep\n', 'drop\n', 'fail\n']);

      const backup = await waitFor(
        'three source records',
        () => objects.lines('backup/clicks/'),
        (lines) => lines.length === 3,
      );
      expect(backup).to.deep.equal(['keep', 'drop', 'fail']);
      expect(objects.under('backup/clicks/')[0]?.key).to.match(/\.gz$/);
      await waitFor(
        'nothing left',
        () => firehose?.pending('clicks'),
        (pending) => pending === 0,
      );
    });

    it('retries an object S3 did not take, and delivers it', async () => {
      const { objects } = await load([streamConfig('logs')]);
      objects.failNext(2);

      await putAll(client, 'logs', ['persistent']);

      expect(
        await waitFor(
          'the object',
          () => objects.lines('raw/'),
          (lines) => lines.length === 1,
        ),
      ).to.deep.equal(['persistent']);
    });
  });

  describe('durability', () => {
    it('delivers after a restart what was accepted before it, with its arrival time and record id', async () => {
      const held = [
        streamConfig('clicks', {
          ProcessingConfiguration: lambdaProcessing({ BufferIntervalInSeconds: '900' }),
        }),
      ];
      const before = await load(held);
      const { RequestResponses } = await putAll(client, 'clicks', ['survives', 'the restart']);
      const acceptedAt = Date.now();
      expect(before.transformer.events).to.have.length(0);

      client.destroy();
      await stopAndAssertGone(firehose);
      await start();
      const after = await load([streamConfig('clicks', { ProcessingConfiguration: lambdaProcessing() })]);

      const lines = await waitFor(
        'two records',
        () => after.objects.lines('raw/clicks/'),
        (found) => found.length === 2,
      );
      expect(lines).to.deep.equal(['SURVIVES', 'THE RESTART']);
      const [event] = after.transformer.events;
      expect(event?.records.map((record) => record.recordId)).to.deep.equal(
        RequestResponses?.map((entry) => entry.RecordId),
      );
      expect(event?.records[0]?.approximateArrivalTimestamp).to.be.at.most(acceptedAt);
    });

    it('does not deliver again after a restart what was delivered before it', async () => {
      const first = await load([streamConfig('logs')]);
      await putAll(client, 'logs', ['once']);
      await waitFor(
        'the object',
        () => first.objects.lines('raw/'),
        (lines) => lines.length === 1,
      );
      await waitFor(
        'nothing left',
        () => firehose?.pending('logs'),
        (pending) => pending === 0,
      );

      client.destroy();
      await stopAndAssertGone(firehose);
      await start();
      const second = await load([streamConfig('logs')]);
      await putAll(client, 'logs', ['twice']);

      expect(
        await waitFor(
          'the new object',
          () => second.objects.lines('raw/'),
          (lines) => lines.length === 1,
        ),
      ).to.deep.equal(['twice']);
    });
  });

  it('writes IncomingRecords, DeliveryToS3.Records and DeliveryToS3.DataFreshness as EMF documents', async () => {
    const metrics: Record<string, unknown>[] = [];
    const { objects } = await load([streamConfig('logs')], undefined, metrics);
    await putAll(client, 'logs', ['m1', 'm2']);
    await waitFor(
      'the object',
      () => objects.objects,
      (found) => found.length === 1,
    );

    await (firehose as RunningFirehose).unload();

    const sum = (name: string) =>
      metrics
        .filter((document) => document.DeliveryStreamName === 'logs')
        .reduce(
          (total, document) => total + (typeof document[name] === 'number' ? (document[name] as number) : 0),
          0,
        );
    const freshness = metrics.flatMap(
      (document) => (document['DeliveryToS3.DataFreshness'] as number[] | undefined) ?? [],
    );
    expect(sum('IncomingRecords')).to.equal(2);
    expect(sum('DeliveryToS3.Records')).to.equal(2);
    expect(freshness).to.have.length(1);
    expect(freshness[0]).to.be.at.least(0);
    const aws = metrics[0]?._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
    expect(aws.CloudWatchMetrics[0]).to.deep.include({
      Namespace: 'AWS/Firehose',
      Dimensions: [['DeliveryStreamName']],
    });
  });

  /** POST /_local/faults on the emulator's endpoint. */
  async function armFault(fault: Record<string, unknown>) {
    const response = await fetch(`${firehose?.endpoint}/_local/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });
    expect(response.status).to.equal(201);
  }
});

function okRecords(event: TransformEvent) {
  return event.records.map(({ recordId, data }) => ({ recordId, result: 'Ok', data }));
}
