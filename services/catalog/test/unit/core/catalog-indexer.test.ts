import { expect } from 'chai';
import { exampleCatalogEntry } from '../../../../../shared/test/unit/schema-examples';
import {
  createCatalogIndexer,
  createCatalogSearch,
  type IndexSnapshots,
} from '../../../src/core/catalog-indexer';

/** Snapshots with the adapter's compare-and-set; `beforeReplace` lets a test slip in another writer. */
class InMemorySnapshots implements IndexSnapshots {
  version = 0;
  content: string | undefined;
  reads = 0;
  beforeReplace: (() => Promise<void>) | undefined;

  async latest(knownVersion?: number) {
    this.reads += 1;
    return knownVersion === this.version
      ? { version: this.version }
      : { version: this.version, content: this.content };
  }

  async replace(version: number, content: string) {
    const interleaved = this.beforeReplace;
    this.beforeReplace = undefined;
    await interleaved?.();
    if (version !== this.version) return false;
    this.version += 1;
    this.content = content;
    return true;
  }
}

const entry = (key: string) => exampleCatalogEntry({ key, dataset: 'clickstream' });
const keysIn = async (snapshots: IndexSnapshots) =>
  (await createCatalogSearch({ snapshots }).search({ limit: 100 })).matches.map((match) => match.key).sort();

describe('catalog indexer', () => {
  it('applies a batch of changes as one new snapshot', async () => {
    const snapshots = new InMemorySnapshots();
    const indexer = createCatalogIndexer({ snapshots });

    await indexer.apply([
      { kind: 'upsert', entry: entry('raw/clickstream/a.jsonl') },
      { kind: 'upsert', entry: entry('raw/clickstream/b.jsonl') },
      { kind: 'remove', key: 'raw/clickstream/a.jsonl' },
    ]);

    expect(snapshots.version).to.equal(1);
    expect(await keysIn(snapshots)).to.deep.equal(['raw/clickstream/b.jsonl']);
  });

  it('loses no entry when another writer replaces the snapshot between its read and its write', async () => {
    const snapshots = new InMemorySnapshots();
    const first = createCatalogIndexer({ snapshots });
    const second = createCatalogIndexer({ snapshots });
    snapshots.beforeReplace = async () => {
      await second.apply([{ kind: 'upsert', entry: entry('raw/clickstream/from-shard-2.jsonl') }]);
    };

    await first.apply([{ kind: 'upsert', entry: entry('raw/clickstream/from-shard-1.jsonl') }]);

    expect(await keysIn(snapshots)).to.deep.equal([
      'raw/clickstream/from-shard-1.jsonl',
      'raw/clickstream/from-shard-2.jsonl',
    ]);
    expect(snapshots.version).to.equal(2);
  });

  it('changes nothing the searcher sees when a batch is delivered again', async () => {
    const snapshots = new InMemorySnapshots();
    const indexer = createCatalogIndexer({ snapshots });
    const batch = [{ kind: 'upsert' as const, entry: entry('raw/clickstream/a.jsonl') }];
    await indexer.apply(batch);
    const before = await createCatalogSearch({ snapshots }).search({ limit: 10 });

    await indexer.apply(batch);

    expect(await createCatalogSearch({ snapshots }).search({ limit: 10 })).to.deep.equal(before);
  });

  it('writes nothing for an empty batch (the index pointer’s own stream records)', async () => {
    const snapshots = new InMemorySnapshots();

    await createCatalogIndexer({ snapshots }).apply([]);

    expect(snapshots.version).to.equal(0);
  });

  it('fails the batch when the index keeps changing under it, so that the stream delivers it again', async () => {
    const snapshots = new InMemorySnapshots();
    snapshots.replace = async () => false;

    const attempt = createCatalogIndexer({ snapshots }).apply([{ kind: 'remove', key: 'x' }]);

    await attempt.then(
      () => expect.fail('the batch was applied'),
      (error: Error) => expect(error.name).to.equal('IndexContentionError'),
    );
  });

  it('loads a snapshot again only when its version moved', async () => {
    const snapshots = new InMemorySnapshots();
    await createCatalogIndexer({ snapshots }).apply([
      { kind: 'upsert', entry: entry('raw/clickstream/a.jsonl') },
    ]);
    const search = createCatalogSearch({ snapshots });
    await search.search({ limit: 10 });
    let loads = 0;
    const latest = snapshots.latest.bind(snapshots);
    snapshots.latest = async (known) => {
      const answer = await latest(known);
      if (answer.content !== undefined) loads += 1;
      return answer;
    };

    await search.search({ limit: 10 });
    await createCatalogIndexer({ snapshots }).apply([
      { kind: 'upsert', entry: entry('raw/clickstream/b.jsonl') },
    ]);
    const after = await search.search({ limit: 10 });

    expect(after.total).to.equal(2);
    expect(loads).to.equal(2);
  });
});
