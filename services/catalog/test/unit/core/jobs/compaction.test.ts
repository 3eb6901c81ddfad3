import { gzipSync } from 'node:zlib';
import { expect } from 'chai';
import { compactedKey, planCompaction, type SourceObject } from '../../../../src/core/jobs/compaction';
import { type CompactionPartial, createCompactionJob } from '../../../../src/core/jobs/compaction-job';
import type { JobObjects } from '../../../../src/core/jobs/job-steps';

const source = (key: string, sizeBytes = 100, etag = `"${key.length}"`): SourceObject => ({
  key,
  sizeBytes,
  etag,
});
const PARTITION = 'raw/clicks/year=2026/month=12';

function fakeObjects(initial: Record<string, Uint8Array> = {}) {
  const stored = new Map(Object.entries(initial));
  const objects: JobObjects = {
    list: async (prefix) =>
      [...stored]
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, body]) => ({ key, sizeBytes: body.length, etag: `"${body.length}"` })),
    read: async (key) => stored.get(key) ?? Promise.reject(new Error(`no ${key}`)),
    readRange: async () => new Uint8Array(),
    write: async (key, body) => {
      stored.set(key, typeof body === 'string' ? Buffer.from(body) : body);
    },
    exists: async (key) => stored.has(key),
    remove: async (keys) => {
      for (const key of keys) stored.delete(key);
    },
  };
  return { objects, stored };
}

describe('compaction (core)', () => {
  it('groups each partition’s GZIP objects in key order up to the target size, into curated/', () => {
    const groups = planCompaction(
      [
        source(`${PARTITION}/c.gz`),
        source(`${PARTITION}/a.gz`),
        source(`${PARTITION}/b.gz`),
        source('raw/clicks/year=2026/month=11/z.gz'),
        source(`${PARTITION}/notes.txt`),
        source(`${PARTITION}/empty.gz`, 0),
      ],
      250,
    );
    expect(groups.map(({ sources }) => sources.map(({ key }) => key.split('/').pop()))).to.deep.equal([
      ['z.gz'],
      ['a.gz', 'b.gz'],
      ['c.gz'],
    ]);
    expect(groups[1]?.target).to.match(
      /^curated\/clicks\/year=2026\/month=12\/compacted-[0-9a-f]{24}\.parquet$/,
    );
  });

  it('names a file after its sources’ keys and ETags, whatever their order', () => {
    const a = source(`${PARTITION}/a.gz`);
    const b = source(`${PARTITION}/b.gz`);
    expect(compactedKey([a, b])).to.equal(compactedKey([b, a]));
    expect(compactedKey([a, b])).not.to.equal(compactedKey([a, { ...b, etag: '"changed"' }]));
  });

  it('writes each group once, and removes the sources only once every new file is registered', async () => {
    const { objects, stored } = fakeObjects({
      [`${PARTITION}/a.gz`]: gzipSync('{"n":1}\n{"n":2}'),
      [`${PARTITION}/b.gz`]: gzipSync('{"n":3}\n'),
    });
    const written: string[] = [];
    let registered = false;
    const job = createCompactionJob({
      parquet: {
        fromJsonLines: async (jsonLines) => {
          written.push(new TextDecoder().decode(jsonLines));
          return Buffer.from('PAR1');
        },
      },
      catalog: { waitUntilRegistered: async () => registered },
    });
    const spec = {
      jobId: 'c-1',
      type: 'compaction' as const,
      params: {
        prefix: 'raw/clicks',
        targetBytes: 1000,
        deleteSources: true,
        mappers: 1,
        toleratedFailurePercentage: 0,
      },
    };

    const [group] = await job.plan(spec, objects);
    const first = (await job.map(spec, group as never, objects)) as CompactionPartial;
    const again = (await job.map(spec, group as never, objects)) as CompactionPartial;

    expect(written).to.deep.equal(['{"n":1}\n{"n":2}\n{"n":3}\n']);
    expect([first.written, again.written]).to.deep.equal([true, false]);
    const refused = await job.reduce(spec, [first], objects).catch((error: unknown) => error);
    expect(refused).to.have.property('name', 'NotYetRegisteredError');
    expect(stored.has(`${PARTITION}/a.gz`)).to.equal(true);

    registered = true;
    const { summary } = await job.reduce(spec, [first], objects);
    expect(summary).to.include({ written: 1, skipped: 0, sourcesRemoved: 2 });
    expect([...stored.keys()]).to.deep.equal([first.target]);
  });
});
