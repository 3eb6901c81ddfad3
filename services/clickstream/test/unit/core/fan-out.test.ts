import { expect } from 'chai';
import {
  chunkRecords,
  createDispatcher,
  createReadingsProcessor,
  type FanOutChunk,
  type RawReading,
} from '../../../src/core/fan-out';
import type { StreamRecord } from '../../../src/core/telemetry-records';
import { kplAggregated } from '../../../tools/kpl-records';

const json = (readingId: string) =>
  Buffer.from(
    JSON.stringify({ deviceId: 'dev-1', readingId, temperatureC: 21, recordedAt: '2026-12-05T07:00:00Z' }),
  );
const record = (data: Buffer, sequenceNumber: string): StreamRecord => ({
  data: data.toString('base64'),
  partitionKey: 'dev-1',
  sequenceNumber,
});

describe('fan-out (dispatcher and processor)', () => {
  it('splits a batch into chunks of the chunk size, in order, none empty', () => {
    const records = Array.from({ length: 250 }, (_, index) => record(json(`r${index}`), String(index)));

    const chunks = chunkRecords('shard-1', records, 100);

    expect(chunks.map((chunk) => chunk.records.length)).to.deep.equal([100, 100, 50]);
    expect(chunks.flatMap((chunk) => chunk.records)).to.deep.equal(records);
  });

  it('keeps a chunk under an asynchronous invocation payload, whatever the chunk size', () => {
    const big = Buffer.alloc(60 * 1024, 'x');
    const chunks = chunkRecords('shard-1', [record(big, '1'), record(big, '2'), record(big, '3')], 100);

    expect(chunks.map((chunk) => chunk.records.length)).to.deep.equal([2, 1]);
  });

  it('invokes one processor per chunk, and fails the batch if one is refused', async () => {
    const invoked: FanOutChunk[] = [];
    const dispatcher = createDispatcher({
      processor: { invokeAsync: async (chunk) => void invoked.push(chunk) },
      chunkSize: 2,
    });
    const records = ['a', 'b', 'c'].map((id, index) => record(json(id), String(index)));

    expect(await dispatcher.dispatch('shard-1', records)).to.equal(2);
    expect(invoked.map((chunk) => chunk.records.length)).to.deep.equal([2, 1]);

    const refusing = createDispatcher({
      processor: {
        invokeAsync: async () => {
          throw new Error('TooManyRequestsException');
        },
      },
      chunkSize: 2,
    });
    const error = await refusing.dispatch('shard-1', records).catch((e: unknown) => e);
    expect(error).to.be.an('error');
  });

  it('stores readings keyed by time and stream position, so that a replayed chunk writes the same keys', async () => {
    const stored: RawReading[][] = [];
    const processor = createReadingsProcessor({
      store: { putAll: async (readings) => void stored.push([...readings]) },
    });
    const [aggregated] = kplAggregated('dev-1', [json('r2'), json('r3')]);
    const chunk: FanOutChunk = {
      shardId: 'shard-1',
      records: [
        record(json('r1'), '10'),
        record(aggregated as Buffer, '11'),
        record(Buffer.from('{bad'), '12'),
      ],
    };

    const first = await processor.process(chunk);
    await processor.process(chunk);

    expect(first).to.deep.equal({ stored: 3, malformed: 1 });
    expect(stored[0]?.map((reading) => reading.position)).to.deep.equal([
      '2026-12-05T07:00:00Z#10#0',
      '2026-12-05T07:00:00Z#11#0',
      '2026-12-05T07:00:00Z#11#1',
    ]);
    expect(stored[1]).to.deep.equal(stored[0]);
  });
});
