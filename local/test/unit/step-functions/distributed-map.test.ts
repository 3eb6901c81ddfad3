import { expect } from 'chai';
import {
  BUCKET,
  type DistributedMapCloud,
  distributedMachine,
  parsed,
  startDistributedMapCloud,
} from './distributed-map-support';

/** The Lambda's answer for a payload: the worker echoes what it processed. */
const processed = (payload: unknown) => ({ processed: payload });

const MACHINES = [
  distributedMachine('selected', {
    ItemsPath: '$.numbers',
    ItemSelector: { 'n.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'job.$': '$.job' },
    MaxConcurrency: 2,
  }),
  distributedMachine('unbounded', { MaxConcurrency: 0 }),
  distributedMachine('listing', {
    ItemReader: {
      Resource: 'arn:aws:states:::s3:listObjectsV2',
      Parameters: { Bucket: BUCKET, 'Prefix.$': '$.prefix' },
    },
    ItemSelector: { 'key.$': '$$.Map.Item.Value.Key', 'size.$': '$$.Map.Item.Value.Size' },
  }),
  distributedMachine('json-object', {
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSON', MaxItems: 2 },
      Parameters: { Bucket: BUCKET, 'Key.$': '$.key' },
    },
  }),
  distributedMachine('jsonl-object', {
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'JSONL' },
      Parameters: { Bucket: BUCKET, 'Key.$': '$.key' },
    },
  }),
  distributedMachine('csv-object', {
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' },
      Parameters: { Bucket: BUCKET, 'Key.$': '$.key' },
    },
  }),
  distributedMachine('csv-given-headers', {
    ItemReader: {
      Resource: 'arn:aws:states:::s3:getObject',
      ReaderConfig: {
        InputType: 'CSV',
        CSVHeaderLocation: 'GIVEN',
        CSVHeaders: ['loan', 'balance'],
        CSVDelimiter: 'PIPE',
        MaxItemsPath: '$.limit',
      },
      Parameters: { Bucket: BUCKET, 'Key.$': '$.key' },
    },
  }),
  distributedMachine('batched', {
    ItemBatcher: { MaxItemsPerBatch: 3, BatchInput: { 'job.$': '$.job' } },
    ItemsPath: '$.numbers',
  }),
  distributedMachine('batched-by-bytes', {
    ItemBatcher: { MaxInputBytesPerBatch: 40 },
    ItemsPath: '$.words',
  }),
  distributedMachine('no-tolerance', { MaxConcurrency: 1 }),
  distributedMachine('tolerates-two', { ToleratedFailureCount: 2 }),
  distributedMachine('tolerates-twenty-percent', {
    ItemsPath: '$.items',
    ToleratedFailurePercentagePath: '$.percent',
  }),
  distributedMachine('caught-threshold', {
    ItemsPath: '$.items',
    ToleratedFailureCount: 0,
    Catch: [
      { ErrorEquals: ['States.ExceedToleratedFailureThreshold'], ResultPath: '$.error', Next: 'After' },
    ],
    Next: 'After',
  }),
];

/** Ten items of which those at `failing` fail. */
const tenItems = (...failing: number[]) =>
  Array.from({ length: 10 }, (_, index) => (failing.includes(index) ? { index, fail: true } : { index }));

describe('step functions: distributed Map through @aws-sdk/client-sfn and the local S3', function () {
  this.timeout(30_000);
  let cloud: DistributedMapCloud;

  before(async () => {
    cloud = await startDistributedMapCloud(MACHINES, 3);
  });

  after(async () => {
    await cloud?.stop();
  });

  beforeEach(() => cloud.worker.reset());

  describe('items', () => {
    it('takes the array at ItemsPath, gives each child what ItemSelector makes of it, in item order', async () => {
      const execution = await cloud.run('selected', { job: 'j-1', numbers: [5, 6, 7] });

      expect(execution.status).to.equal('SUCCEEDED');
      expect(parsed(execution.output)).to.deep.equal([
        processed({ n: 5, index: 0, job: 'j-1' }),
        processed({ n: 6, index: 1, job: 'j-1' }),
        processed({ n: 7, index: 2, job: 'j-1' }),
      ]);
    });

    it('reads an S3 listing under a prefix, objects as AWS lists them (Key, Size, Etag, LastModified, StorageClass)', async () => {
      await cloud.put('in/b.txt', 'bb');
      await cloud.put('in/a.txt', 'a');
      await cloud.put('other/c.txt', 'ccc');

      const execution = await cloud.run('listing', { prefix: 'in/' });

      expect(parsed(execution.output)).to.deep.equal([
        processed({ key: 'in/a.txt', size: 1 }),
        processed({ key: 'in/b.txt', size: 2 }),
      ]);
      const [item] = cloud.worker.payloads;
      expect(item).to.have.keys('key', 'size');
    });

    it('reads a JSON array object, at most MaxItems of it', async () => {
      await cloud.put('items.json', JSON.stringify([{ id: 1 }, { id: 2 }, { id: 3 }]));

      const execution = await cloud.run('json-object', { key: 'items.json' });

      expect(parsed(execution.output)).to.deep.equal([processed({ id: 1 }), processed({ id: 2 })]);
    });

    it('reads a JSON-lines object, one item per non-empty line', async () => {
      await cloud.put('items.jsonl', '{"id":1}\n\n{"id":2}\r\n"three"\n');

      const execution = await cloud.run('jsonl-object', { key: 'items.jsonl' });

      expect(parsed(execution.output)).to.deep.equal([
        processed({ id: 1 }),
        processed({ id: 2 }),
        processed('three'),
      ]);
    });

    it('reads CSV rows as objects of strings, keyed by the first row or by the given headers', async () => {
      await cloud.put('loans.csv', 'loan,balance\nL1,"100,5"\nL2,200\n');
      await cloud.put('loans.psv', 'L1|100\nL2|200\nL3|300\n');

      const firstRow = await cloud.run('csv-object', { key: 'loans.csv' });
      const given = await cloud.run('csv-given-headers', { key: 'loans.psv', limit: 2 });

      expect(parsed(firstRow.output)).to.deep.equal([
        processed({ loan: 'L1', balance: '100,5' }),
        processed({ loan: 'L2', balance: '200' }),
      ]);
      expect(parsed(given.output)).to.deep.equal([
        processed({ loan: 'L1', balance: '100' }),
        processed({ loan: 'L2', balance: '200' }),
      ]);
    });

    it('fails with States.ItemReaderFailed when the object is missing or is not what ReaderConfig says', async () => {
      await cloud.put('not-an-array.json', '{"id":1}');

      const missing = await cloud.run('json-object', { key: 'nowhere.json' });
      const notArray = await cloud.run('json-object', { key: 'not-an-array.json' });

      expect(missing).to.include({ status: 'FAILED', error: 'States.ItemReaderFailed' });
      expect(missing.cause).to.match(/NoSuchKey/);
      expect(notArray).to.include({ status: 'FAILED', error: 'States.ItemReaderFailed' });
      expect(cloud.worker.payloads).to.deep.equal([]);
    });
  });

  describe('ItemBatcher', () => {
    it('gives each child at most MaxItemsPerBatch items, with the BatchInput', async () => {
      const execution = await cloud.run('batched', { job: 'j-2', numbers: [1, 2, 3, 4, 5, 6, 7] });

      expect(parsed(execution.output)).to.deep.equal([
        processed({ BatchInput: { job: 'j-2' }, Items: [1, 2, 3] }),
        processed({ BatchInput: { job: 'j-2' }, Items: [4, 5, 6] }),
        processed({ BatchInput: { job: 'j-2' }, Items: [7] }),
      ]);
    });

    it('keeps each batch within MaxInputBytesPerBatch (its JSON)', async () => {
      const words = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta'];

      const execution = await cloud.run('batched-by-bytes', { words });

      const batches = cloud.worker.payloads as { Items: string[] }[];
      for (const batch of batches) expect(Buffer.byteLength(JSON.stringify(batch))).to.be.at.most(40);
      expect(batches.flatMap((batch) => batch.Items).sort()).to.deep.equal([...words].sort());
      expect(batches.length).to.be.greaterThan(1);
      expect(execution.status).to.equal('SUCCEEDED');
    });
  });

  describe('MaxConcurrency', () => {
    it('runs at most MaxConcurrency children at once', async () => {
      await cloud.run('selected', { job: 'j-3', numbers: [1, 2, 3, 4, 5, 6, 7] });

      expect(cloud.worker.payloads).to.have.length(7);
      expect(cloud.worker.mostAtOnce).to.equal(2);
    });

    it('runs no more children at once than the local Lambda concurrency (3 here), even unbounded (0)', async () => {
      await cloud.run('unbounded', [1, 2, 3, 4, 5, 6, 7, 8, 9]);

      expect(cloud.worker.payloads).to.have.length(9);
      expect(cloud.worker.mostAtOnce).to.equal(3);
    });
  });

  describe('tolerated failures', () => {
    it('fails the Map Run on the first failure when nothing is tolerated, and starts nothing more', async () => {
      const execution = await cloud.run('no-tolerance', tenItems(1));

      expect(execution).to.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
      expect(cloud.worker.payloads).to.have.length(2);
    });

    it('succeeds within ToleratedFailureCount, failed children giving their Error and Cause', async () => {
      const within = await cloud.run('tolerates-two', tenItems(3, 7));
      const beyond = await cloud.run('tolerates-two', tenItems(1, 3, 7));

      expect(within.status).to.equal('SUCCEEDED');
      const output = parsed(within.output) as Record<string, unknown>[];
      expect(output[3]).to.include({ Error: 'BadItem' });
      expect(output[4]).to.deep.equal(processed({ index: 4 }));
      expect(beyond).to.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    });

    it('succeeds within ToleratedFailurePercentage (here from a path) and fails beyond it', async () => {
      const twenty = await cloud.run('tolerates-twenty-percent', { percent: 20, items: tenItems(2, 5) });
      const ten = await cloud.run('tolerates-twenty-percent', { percent: 10, items: tenItems(2, 5) });

      expect(twenty.status).to.equal('SUCCEEDED');
      expect(ten).to.include({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    });

    it('lets a Catch on the Map state catch States.ExceedToleratedFailureThreshold', async () => {
      const execution = await cloud.run('caught-threshold', { items: tenItems(0) });

      expect(execution.status).to.equal('SUCCEEDED');
      expect((parsed(execution.output) as { error: unknown }).error).to.deep.include({
        Error: 'States.ExceedToleratedFailureThreshold',
      });
    });
  });
});
