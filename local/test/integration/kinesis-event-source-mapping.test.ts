import { expect } from 'chai';
import {
  fixtureSuite,
  type Invocation,
  kinesisIds,
  kinesisPayload,
  putKinesisRecords,
  queueInbox,
  recordsOf,
  uniqueId,
  waitFor,
} from './support';

interface KinesisBatchInfo {
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
  streamArn: string;
}

const batchInfoOf = (record: Record<string, unknown>) =>
  record.KinesisBatchInfo as KinesisBatchInfo | undefined;

describe('local cloud: Kinesis event source mappings', () => {
  const fixture = fixtureSuite();

  /** The invocations of `functionKey` that carried at least one of `ids`. */
  const invocationsWith = async (functionKey: string, ids: readonly string[]) =>
    (await fixture.cloud.recordings(functionKey)).filter((invocation) =>
      kinesisIds(invocation).some((id) => ids.includes(id)),
    );

  const streamFailures = () => queueInbox(fixture.aws.sqs, fixture.resource('StreamFailuresQueue'));

  describe('BatchStream (batch size 5, ReportBatchItemFailures, bisect, 2 retries)', () => {
    // With ReportBatchItemFailures Lambda checkpoints at the lowest failed sequence number and retries
    // from there; with BisectBatchOnFunctionError too, only the remaining records are retried.
    // https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-batchfailurereporting.html
    it('retries from the first reported failure: records before it are never delivered again', async () => {
      const ids = [1, 2, 3, 4, 5].map((n) => uniqueId(`partial-${n}`));
      const sequences = await putKinesisRecords(
        fixture.aws.kinesis,
        fixture.resource('BatchStream'),
        ids.map((id, index) => ({ id, ...(index === 2 ? { fail: true } : {}) })),
      );

      // Record 3 fails every time: after its retries, what is left of the batch is given up on.
      await waitFor('the remaining records to be given up on', streamFailures, (all) =>
        all.some((record) => batchInfoOf(record)?.startSequenceNumber === sequences[2]),
      );
      const invocations = (await invocationsWith('recordKinesis', ids)).map(kinesisIds);
      expect(invocations[0], 'the first invocation is the whole batch').to.deep.equal(ids);
      expect(invocations.length).to.be.greaterThan(1);
      for (const later of invocations.slice(1)) expect(later).to.deep.equal(ids.slice(2));
    });

    // A failing batch is split in two, recursively, without using the retry quota; the record that
    // keeps failing ends alone, is retried MaximumRetryAttempts times, and its metadata goes to the
    // on-failure destination; the shard then moves on.
    // https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html
    it('isolates a poison record by bisection, sends it alone to the on-failure queue, and moves on', async () => {
      const ids = [1, 2, 3, 4, 5].map((n) => uniqueId(`poison-${n}`));
      const poison = ids[2] as string;
      const good = ids.filter((id) => id !== poison);
      const sequences = await putKinesisRecords(
        fixture.aws.kinesis,
        fixture.resource('BatchStream'),
        ids.map((id) => ({ id, ...(id === poison ? { throw: true } : {}) })),
      );

      const failures = await waitFor('the poison record in the on-failure queue', streamFailures, (all) =>
        all.some((record) => batchInfoOf(record)?.startSequenceNumber === sequences[2]),
      );
      const afterwards = uniqueId('poison-after');
      await putKinesisRecords(fixture.aws.kinesis, fixture.resource('BatchStream'), [{ id: afterwards }]);
      await waitFor(
        'a record put afterwards',
        () => invocationsWith('recordKinesis', [afterwards]),
        (found) => found.length > 0,
      );

      const failure = failures.find((record) => batchInfoOf(record)?.startSequenceNumber === sequences[2]);
      expect(batchInfoOf(failure ?? {})).to.include({
        startSequenceNumber: sequences[2],
        endSequenceNumber: sequences[2],
        batchSize: 1,
        streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${fixture.resource('BatchStream')}`,
      });
      expect(failure?.requestContext).to.include({ condition: 'RetryAttemptsExhausted' });
      expect(failure?.responseContext).to.include({ functionError: 'Unhandled' });
      const invocations = await invocationsWith('recordKinesis', ids);
      const alone = invocations.filter((invocation) => kinesisIds(invocation).join() === poison);
      expect(alone, 'alone: 1 invocation + MaximumRetryAttempts').to.have.length(3);
      const succeeded = invocations.filter((invocation) => !kinesisIds(invocation).includes(poison));
      expect([...new Set(succeeded.flatMap(kinesisIds))].sort()).to.deep.equal([...good].sort());
    });

    // "A crash mid-batch loses nothing": the batch that failed is delivered again (at least once).
    // https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
    it('delivers again every record of a batch whose invocation crashed', async () => {
      const ids = [1, 2, 3, 4, 5].map((n) => uniqueId(`crash-${n}`));
      await putKinesisRecords(
        fixture.aws.kinesis,
        fixture.resource('BatchStream'),
        ids.map((id, index) => ({ id, ...(index === 3 ? { crashOnce: id } : {}) })),
      );

      const invocations = await waitFor(
        'every record after the crash',
        () => invocationsWith('recordKinesis', ids),
        (found) => {
          const crashed = found.findIndex((invocation) => kinesisIds(invocation).includes(ids[3] as string));
          const redelivered = new Set(found.slice(crashed + 1).flatMap(kinesisIds));
          return crashed !== -1 && ids.every((id) => redelivered.has(id));
        },
      );
      expect(kinesisIds(invocations[0] as Invocation), 'the batch that crashed').to.deep.equal(ids);
    });
  });

  // Records that match no filter are never delivered; Kinesis `data` is matched as JSON.
  // https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
  it('FilterStream: only records whose data has kind "keep" reach the function', async () => {
    const records = ['drop', 'keep', 'drop', 'keep'].map((kind, index) => ({
      id: uniqueId(`filter-${index}-${kind}`),
      kind,
    }));
    await putKinesisRecords(fixture.aws.kinesis, fixture.resource('FilterStream'), records);
    const ids = records.map((record) => record.id);

    // The last record is a "keep": once it arrived, the shard has been read past every other one.
    const invocations = await waitFor(
      'the last kept record',
      () => invocationsWith('recordFiltered', ids),
      (found) => found.some((invocation) => kinesisIds(invocation).includes(ids[3] as string)),
    );
    expect(invocations.flatMap(kinesisIds)).to.deep.equal([ids[1], ids[3]]);
  });

  // Each invocation of a window gets the state the previous one returned; once the window closes,
  // one invocation with isFinalInvokeForWindow: true ends it.
  // https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html
  it('WindowStream: carries the state through the 3 s window, then ends it with one final invocation', async () => {
    const stream = fixture.resource('WindowStream');
    const windowed = (invocation: Invocation) =>
      invocation as Invocation & {
        window: { start: string; end: string };
        state: { count?: number };
        isFinalInvokeForWindow: boolean;
      };
    const deliveryOf = (id: string) =>
      waitFor(
        `the window invocation of ${id}`,
        () => invocationsWith('recordWindow', [id]),
        (found) => found.length > 0,
      ).then((found) => windowed(found[0] as Invocation));

    const finalsOf = (window: { start: string }) =>
      fixture.cloud
        .recordings('recordWindow')
        .then((all) =>
          all
            .map(windowed)
            .filter(
              (invocation) => invocation.isFinalInvokeForWindow && invocation.window.start === window.start,
            ),
        );
    const windowClosed = (window: { start: string }) =>
      waitFor(
        'the final invocation of the window',
        () => finalsOf(window),
        (found) => found.length > 0,
      );

    // Two records in one window, in two invocations: the second is put once the first was delivered. When
    // the window is about to close as the first arrives, the pair is tried again once it has closed.
    let first: ReturnType<typeof windowed> | undefined;
    let second: ReturnType<typeof windowed> | undefined;
    for (let attempt = 0; attempt < 3 && second === undefined; attempt += 1) {
      const firstId = uniqueId('window-1');
      await putKinesisRecords(fixture.aws.kinesis, stream, [{ id: firstId }]);
      first = await deliveryOf(firstId);
      if (Date.parse(first.window.end) - Date.now() < 1_500) {
        await windowClosed(first.window);
        continue;
      }
      const secondId = uniqueId('window-2');
      await putKinesisRecords(fixture.aws.kinesis, stream, [{ id: secondId }]);
      second = await deliveryOf(secondId);
    }
    if (first === undefined || second === undefined) throw new Error('no window was long enough');
    const window = first.window;

    expect(Date.parse(window.end) - Date.parse(window.start)).to.equal(3_000);
    expect(second.window).to.deep.equal(window);
    expect(second.isFinalInvokeForWindow).to.equal(false);
    expect(second.state, 'the state the first invocation returned').to.deep.equal({ count: 1 });
    const [final] = await windowClosed(window);
    expect(final?.state).to.deep.equal({ count: 2 });
    expect(final?.window).to.deep.equal(window);

    // The shard is processed in order: once a later record is delivered, the window is over for good.
    const laterId = uniqueId('window-later');
    await putKinesisRecords(fixture.aws.kinesis, stream, [{ id: laterId }]);
    const later = await deliveryOf(laterId);
    expect(Date.parse(later.window.start)).to.be.at.least(Date.parse(window.end));
    expect(await finalsOf(window), 'final invocations of the window').to.have.length(1);
  });

  // With a ParallelizationFactor, batches of one shard run concurrently but Lambda still processes
  // records of the same partition key in order.
  // https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html
  it('ParallelStream: records of each partition key arrive in the order they were put', async () => {
    const keys = ['a', 'b', 'c', 'd'].map((key) => uniqueId(`parallel-${key}`));
    const records = [0, 1, 2, 3, 4, 5].flatMap((n) => keys.map((key) => ({ id: `${key}-${n}`, key })));
    await putKinesisRecords(fixture.aws.kinesis, fixture.resource('ParallelStream'), records, (record) =>
      String(record.key),
    );
    const ids = records.map((record) => record.id);

    const invocations = await waitFor(
      'every record',
      () => invocationsWith('recordParallel', ids),
      (found) => new Set(found.flatMap(kinesisIds)).size === ids.length,
    );
    const delivered = invocations.flatMap((invocation) => recordsOf(invocation).map(kinesisPayload));
    for (const key of keys) {
      const put = records.filter((record) => record.key === key).map((record) => record.id);
      const received = delivered.filter((payload) => payload.key === key).map((payload) => payload.id);
      expect(received, `records of ${key}`).to.deep.equal(put);
    }
  });
});
