import type { S3ObjectChange } from '@serverless-patterns/shared/s3-events';
import type { CatalogEntry } from '@serverless-patterns/shared/schemas/events';
import { expect } from 'chai';
import { type CatalogStore, createCatalogRegistrar } from '../../../src/core/catalog-registrar';

interface StoredKey {
  /** Undefined once the object was removed: the sequencer stays, so an older event cannot revive it. */
  entry: CatalogEntry | undefined;
  sequencer: string;
}

/** Honours the CatalogStore contract: a write with a sequencer not greater than the stored one is refused. */
class InMemoryCatalog implements CatalogStore {
  readonly keys = new Map<string, StoredKey>();
  readonly acceptedWrites: Array<{ kind: 'put' | 'remove'; key: string; sequencer: string }> = [];
  calls = 0;

  async put(entry: CatalogEntry, sequencer: string): Promise<boolean> {
    this.calls += 1;
    if (this.isStale(entry.key, sequencer)) return false;
    this.keys.set(entry.key, { entry, sequencer });
    this.acceptedWrites.push({ kind: 'put', key: entry.key, sequencer });
    return true;
  }

  async remove(entry: Pick<CatalogEntry, 'zone' | 'dataset' | 'key'>, sequencer: string): Promise<boolean> {
    this.calls += 1;
    const stored = this.keys.get(entry.key);
    if (stored?.entry === undefined || this.isStale(entry.key, sequencer)) return false;
    this.keys.set(entry.key, { entry: undefined, sequencer });
    this.acceptedWrites.push({ kind: 'remove', key: entry.key, sequencer });
    return true;
  }

  entryOf(key: string): CatalogEntry | undefined {
    return this.keys.get(key)?.entry;
  }

  private isStale(key: string, sequencer: string): boolean {
    const stored = this.keys.get(key);
    return stored !== undefined && sequencer <= stored.sequencer;
  }
}

const KEY = 'raw/clickstream/year=2026/month=11/day=29/file.jsonl.gz';
const now = new Date('2026-11-29T09:31:02.000Z');

function lakeEvent(
  kind: S3ObjectChange['kind'],
  sequencer: string,
  object: Partial<S3ObjectChange> = {},
): S3ObjectChange {
  return {
    kind,
    eventName: kind === 'created' ? 'ObjectCreated:Put' : 'ObjectRemoved:Delete',
    sequencer,
    bucket: 'sp-123456789012-eu-west-1-dev-lake',
    key: KEY,
    sizeBytes: kind === 'created' ? 18_204 : 0,
    eTag: kind === 'created' ? '0123456789abcdef0123456789abcdef' : '',
    ...object,
  };
}

function setUp() {
  const catalog = new InMemoryCatalog();
  const registrar = createCatalogRegistrar({ catalog, clock: () => now });
  return { catalog, registrar };
}

describe('catalog registrar', () => {
  it('registers a new object of the lake with its dataset, partitions and time of registration', async () => {
    const { catalog, registrar } = setUp();

    const outcome = await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    expect(outcome).to.equal('registered');
    expect(catalog.entryOf(KEY)).to.include({
      zone: 'raw',
      dataset: 'clickstream',
      sizeBytes: 18_204,
      registeredAt: '2026-11-29T09:31:02.000Z',
    });
  });

  it('writes a replayed event once and reports it unchanged the second time', async () => {
    const { catalog, registrar } = setUp();
    const event = lakeEvent('created', '0A1B2C3D4E5F678901');

    const first = await registrar.apply(event);
    const second = await registrar.apply(event);

    expect([first, second]).to.deep.equal(['registered', 'unchanged']);
    expect(catalog.acceptedWrites).to.have.length(1);
  });

  it('replaces the entry when the object is overwritten', async () => {
    const { catalog, registrar } = setUp();
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    const outcome = await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678902', { sizeBytes: 20_000 }));

    expect(outcome).to.equal('registered');
    expect(catalog.entryOf(KEY)?.sizeBytes).to.equal(20_000);
  });

  it('changes nothing when an older event arrives after a newer one', async () => {
    const { catalog, registrar } = setUp();
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678902', { sizeBytes: 20_000 }));

    const outcome = await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901', { sizeBytes: 18_204 }));

    expect(outcome).to.equal('unchanged');
    expect(catalog.entryOf(KEY)?.sizeBytes).to.equal(20_000);
  });

  it('orders sequencers of different lengths by their hexadecimal value', async () => {
    const { catalog, registrar } = setUp();
    await registrar.apply(lakeEvent('created', '9F', { sizeBytes: 1 }));

    const later = await registrar.apply(lakeEvent('created', '0100', { sizeBytes: 2 }));
    const earlier = await registrar.apply(lakeEvent('created', 'A0', { sizeBytes: 3 }));

    expect([later, earlier]).to.deep.equal(['registered', 'unchanged']);
    expect(catalog.entryOf(KEY)?.sizeBytes).to.equal(2);
  });

  it('removes the entry of a deleted object', async () => {
    const { catalog, registrar } = setUp();
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    const outcome = await registrar.apply(lakeEvent('removed', '0A1B2C3D4E5F678902'));

    expect(outcome).to.equal('removed');
    expect(catalog.entryOf(KEY)).to.equal(undefined);
  });

  it('keeps an object re-uploaded after its deletion when the deletion event arrives late', async () => {
    const { catalog, registrar } = setUp();
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678903'));

    const outcome = await registrar.apply(lakeEvent('removed', '0A1B2C3D4E5F678902'));

    expect(outcome).to.equal('unchanged');
    expect(catalog.entryOf(KEY)).not.to.equal(undefined);
  });

  it('does not revive a deleted object when an older creation is replayed', async () => {
    const { catalog, registrar } = setUp();
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));
    await registrar.apply(lakeEvent('removed', '0A1B2C3D4E5F678902'));

    const outcome = await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    expect(outcome).to.equal('unchanged');
    expect(catalog.entryOf(KEY)).to.equal(undefined);
  });

  it('orders the events of each key on their own', async () => {
    const { catalog, registrar } = setUp();
    const otherKey = 'raw/clickstream/year=2026/month=11/day=29/file-2.jsonl.gz';
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678902'));

    const outcome = await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901', { key: otherKey }));

    expect(outcome).to.equal('registered');
    expect(catalog.entryOf(otherKey)).not.to.equal(undefined);
  });

  for (const [description, key] of [
    ['a key outside the lake zones', 'test/key'],
    ['a folder marker', 'raw/x/'],
  ] as const) {
    for (const kind of ['created', 'removed'] as const) {
      it(`ignores ${description} (${kind}) without touching the catalog`, async () => {
        const { catalog, registrar } = setUp();

        const outcome = await registrar.apply(lakeEvent(kind, '0A1B2C3D4E5F678901', { key }));

        expect(outcome).to.equal('ignored');
        expect(catalog.calls).to.equal(0);
      });
    }
  }
});
