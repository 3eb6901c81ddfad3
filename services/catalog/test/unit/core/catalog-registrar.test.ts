import type { S3ObjectChange } from '@serverless-patterns/shared/s3-events';
import { expect } from 'chai';
import { createCatalogRegistrar, SAMPLE_BYTES, sensitiveTags } from '../../../src/core/catalog-registrar';
import { FirstLineSchemas, InMemoryCatalog, InMemoryObjects, InMemoryTables } from '../fakes';

const KEY = 'raw/clickstream/year=2026/month=11/day=29/file.jsonl';
const BUCKET = 'sp-123456789012-eu-west-1-dev-lake';
const now = new Date('2026-11-29T09:31:02.000Z');
const CLICKS = '{"eventId":"e-1","email":"jane@example.com"}\n{"eventId":"e-2","email":"bob@example.org"}\n';

function lakeEvent(
  kind: S3ObjectChange['kind'],
  sequencer: string,
  object: Partial<S3ObjectChange> = {},
): S3ObjectChange {
  return {
    kind,
    eventName: kind === 'created' ? 'ObjectCreated:Put' : 'ObjectRemoved:Delete',
    sequencer,
    bucket: BUCKET,
    key: KEY,
    sizeBytes: kind === 'created' ? CLICKS.length : 0,
    eTag: kind === 'created' ? '0123456789abcdef0123456789abcdef' : '',
    ...object,
  };
}

function setUp() {
  const catalog = new InMemoryCatalog();
  const objects = new InMemoryObjects();
  const schemas = new FirstLineSchemas();
  const tables = new InMemoryTables();
  const warnings: string[] = [];
  const registrar = createCatalogRegistrar({
    catalog,
    objects,
    schemas,
    tables,
    clock: () => now,
    log: { warn: (message) => warnings.push(message) },
  });
  const upload = (key: string, body: string | Uint8Array) =>
    objects.bodies.set(key, typeof body === 'string' ? new TextEncoder().encode(body) : body);
  upload(KEY, CLICKS);
  return { catalog, objects, schemas, tables, registrar, upload, warnings };
}

describe('catalog registrar', () => {
  it('registers a new object with its format read from its content, its schema and its personal data', async () => {
    const { catalog, registrar } = setUp();

    const outcome = await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    expect(outcome).to.equal('registered');
    expect(catalog.entryOf(KEY)).to.deep.include({
      zone: 'raw',
      dataset: 'clickstream',
      format: 'jsonl',
      compression: 'none',
      schema: [
        { name: 'eventId', type: 'string' },
        { name: 'email', type: 'string' },
      ],
      sensitive: ['email'],
      table: 'raw_clickstream',
      registeredAt: '2026-11-29T09:31:02.000Z',
    });
  });

  it('creates the dataset’s table and adds the object’s partition in Glue', async () => {
    const { tables, registrar } = setUp();

    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    expect(tables.tables.get('raw_clickstream')).to.deep.include({
      location: `s3://${BUCKET}/raw/clickstream/`,
      format: 'jsonl',
      partitionKeys: [
        { name: 'year', type: 'bigint' },
        { name: 'month', type: 'bigint' },
        { name: 'day', type: 'bigint' },
      ],
    });
    expect(tables.partitions.get('raw_clickstream/2026/11/29')).to.deep.equal({
      values: ['2026', '11', '29'],
      location: `s3://${BUCKET}/raw/clickstream/year=2026/month=11/day=29/`,
    });
  });

  it('tags the object with the classes of personal data found', async () => {
    const { objects, registrar } = setUp();

    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    expect(objects.tags.get(KEY)).to.deep.equal({ 'lake:sensitive-data': 'email' });
  });

  it('reads a bounded sample, whatever the object’s size', async () => {
    const { schemas, registrar, upload } = setUp();
    const line = '{"eventId":"e-1","text":"lorem ipsum dolor sit amet"}\n';
    upload(KEY, line.repeat(Math.ceil((3 * SAMPLE_BYTES) / line.length)));

    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    const [sample] = schemas.samples;
    expect(sample?.format === 'jsonl' && sample.text.length).to.be.at.most(SAMPLE_BYTES);
  });

  it('changes nothing in the catalog, in Glue or in the tags when the event is replayed', async () => {
    const { catalog, tables, objects, registrar } = setUp();
    const event = lakeEvent('created', '0A1B2C3D4E5F678901');
    await registrar.apply(event);
    const before = {
      writes: catalog.acceptedWrites.length,
      glue: [...tables.changes],
      tags: objects.tags.get(KEY),
    };

    const outcome = await registrar.apply(event);

    expect(outcome).to.equal('unchanged');
    expect({
      writes: catalog.acceptedWrites.length,
      glue: tables.changes,
      tags: objects.tags.get(KEY),
    }).to.deep.equal(before);
  });

  it('completes the Glue registration on a replay when a crash cut the first delivery after the catalog write', async () => {
    const { catalog, objects, schemas, tables, registrar } = setUp();
    const broken = new InMemoryTables();
    broken.ensureTable = () => Promise.reject(new Error('the function was stopped'));
    const crashing = createCatalogRegistrar({
      catalog,
      objects,
      schemas,
      tables: broken,
      clock: () => now,
      log: { warn: () => undefined },
    });
    const event = lakeEvent('created', '0A1B2C3D4E5F678901');
    await crashing.apply(event).catch(() => undefined);

    const outcome = await registrar.apply(event);

    expect(outcome).to.equal('unchanged');
    expect(tables.partitions.has('raw_clickstream/2026/11/29')).to.equal(true);
  });

  it('widens the table when an object brings a new column, and never drops one', async () => {
    const { tables, registrar, upload } = setUp();
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));
    const later = 'raw/clickstream/year=2026/month=11/day=30/file.jsonl';
    upload(later, '{"eventId":"e-3","referrer":"https://example.com/"}\n');

    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678902', { key: later }));

    expect(tables.tables.get('raw_clickstream')?.columns.map((column) => column.name)).to.deep.equal([
      'eventid',
      'email',
      'referrer',
    ]);
  });

  it('changes nothing when an older event arrives after a newer one', async () => {
    const { catalog, registrar, upload } = setUp();
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678902'));
    upload(KEY, '{"other":1}\n');

    const outcome = await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    expect(outcome).to.equal('unchanged');
    expect(catalog.entryOf(KEY)?.schema?.[0]?.name).to.equal('eventId');
  });

  it('orders sequencers of different lengths by their hexadecimal value', async () => {
    const { catalog, registrar } = setUp();
    await registrar.apply(lakeEvent('created', '9F', { sizeBytes: 1 }));

    const later = await registrar.apply(lakeEvent('created', '0100', { sizeBytes: 2 }));
    const earlier = await registrar.apply(lakeEvent('created', 'A0', { sizeBytes: 3 }));

    expect([later, earlier]).to.deep.equal(['registered', 'unchanged']);
    expect(catalog.entryOf(KEY)?.sizeBytes).to.equal(2);
  });

  it('registers nothing for an object already gone when its creation arrives (its removal follows)', async () => {
    const { catalog, registrar, objects } = setUp();
    objects.bodies.delete(KEY);

    const outcome = await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    expect(outcome).to.equal('unchanged');
    expect(catalog.calls).to.equal(0);
  });

  it('removes the entry of a deleted object, and its partition once it is empty', async () => {
    const { catalog, tables, registrar } = setUp();
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    const outcome = await registrar.apply(lakeEvent('removed', '0A1B2C3D4E5F678902'));

    expect(outcome).to.equal('removed');
    expect(catalog.entryOf(KEY)).to.equal(undefined);
    expect(tables.partitions.has('raw_clickstream/2026/11/29')).to.equal(false);
    expect(tables.tables.has('raw_clickstream'), 'the table stays for the next objects').to.equal(true);
  });

  it('keeps a partition that still holds another object', async () => {
    const { tables, registrar, upload } = setUp();
    const sibling = 'raw/clickstream/year=2026/month=11/day=29/file-2.jsonl';
    upload(sibling, CLICKS);
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901', { key: sibling }));

    await registrar.apply(lakeEvent('removed', '0A1B2C3D4E5F678902'));

    expect(tables.partitions.has('raw_clickstream/2026/11/29')).to.equal(true);
  });

  it('keeps an object re-uploaded after its deletion when the deletion event arrives late', async () => {
    const { catalog, tables, registrar } = setUp();
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678903'));

    const outcome = await registrar.apply(lakeEvent('removed', '0A1B2C3D4E5F678902'));

    expect(outcome).to.equal('unchanged');
    expect(catalog.entryOf(KEY)).not.to.equal(undefined);
    expect(tables.partitions.has('raw_clickstream/2026/11/29')).to.equal(true);
  });

  it('does not revive a deleted object when an older creation is replayed', async () => {
    const { catalog, registrar } = setUp();
    await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));
    await registrar.apply(lakeEvent('removed', '0A1B2C3D4E5F678902'));

    const outcome = await registrar.apply(lakeEvent('created', '0A1B2C3D4E5F678901'));

    expect(outcome).to.equal('unchanged');
    expect(catalog.entryOf(KEY)).to.equal(undefined);
  });

  it('catalogues data it cannot read, without a schema or a table', async () => {
    const { catalog, tables, registrar, upload } = setUp();
    const key = 'raw/images/photo.jpg';
    upload(key, new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]));

    await registrar.apply(lakeEvent('created', '01', { key }));

    expect(catalog.entryOf(key)).to.deep.include({ format: 'unknown', sensitive: [] });
    expect(catalog.entryOf(key)?.schema).to.equal(undefined);
    expect(tables.tables.size).to.equal(0);
  });

  it('reads a large Parquet object’s schema from its footer alone', async () => {
    const { schemas, registrar, upload } = setUp();
    const key = 'curated/ngram/decade=1990/part-0.parquet';
    const footer = Buffer.alloc(100, 7);
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(footer.length, 0);
    trailer.write('PAR1', 4);
    const body = Buffer.concat([Buffer.from('PAR1'), Buffer.alloc(2 * SAMPLE_BYTES), footer, trailer]);
    upload(key, body);

    await registrar.apply(lakeEvent('created', '01', { key, sizeBytes: body.length }));

    expect(schemas.samples).to.have.length(1);
    expect(schemas.samples[0]).to.deep.include({ format: 'parquet', whole: false, sizeBytes: body.length });
    expect(schemas.samples[0]?.format === 'parquet' && schemas.samples[0].bytes.length).to.be.at.most(
      64 * 1024,
    );
  });

  for (const [description, key] of [
    ['a key outside the lake zones', 'test/key'],
    ['a folder marker', 'raw/x/'],
    ['a key with a ".." segment', 'raw/x/../y.jsonl'],
  ] as const) {
    for (const kind of ['created', 'removed'] as const) {
      it(`ignores ${description} (${kind}) without touching the catalog`, async () => {
        const { catalog, tables, registrar } = setUp();

        const outcome = await registrar.apply(lakeEvent(kind, '0A1B2C3D4E5F678901', { key }));

        expect(outcome).to.equal('ignored');
        expect(catalog.calls).to.equal(0);
        expect(tables.changes).to.deep.equal([]);
      });
    }
  }

  it('writes S3 tag values with the characters S3 allows', () => {
    expect(sensitiveTags(['email', 'payment-card'])).to.deep.equal({
      'lake:sensitive-data': 'email+payment-card',
    });
    expect(sensitiveTags([])).to.deep.equal({ 'lake:sensitive-data': 'none' });
  });
});
