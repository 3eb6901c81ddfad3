import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { exampleCatalogEntry } from '../../../../../shared/test/unit/schema-examples';
import { createCatalogTable } from '../../../src/adapters/catalog-table';

const entry = exampleCatalogEntry();
const SEQUENCER = '00000000000000000000000A1B2C3D4E5F678901';
const LATER_THAN_STORED = {
  ConditionExpression: 'attribute_not_exists(sk) OR sequencer < :sequencer',
  ExpressionAttributeValues: { ':sequencer': SEQUENCER },
};
const removedAt = new Date('2026-11-30T10:00:00.000Z');

/** The one command a write sends: a Put of `Item`, on the condition that makes replays harmless. */
const conditionalPut = (Item: Record<string, unknown>) => ({
  name: 'PutCommand',
  input: { TableName: 'catalog-table', Item, ...LATER_THAN_STORED },
});

describe('catalog table adapter', () => {
  const mocks = mockClientsInEachTest({ documentClient });
  const catalog = createCatalogTable({ tableName: 'catalog-table', clock: () => removedAt });
  const writes = {
    put: () => catalog.put(entry, SEQUENCER),
    remove: () => catalog.remove(entry, SEQUENCER),
  };

  it('puts the entry under its dataset and key, only if no later event is stored for the key', async () => {
    // Act
    const written = await catalog.put(entry, SEQUENCER);

    // Assess
    expect(written).to.equal('written');
    expect(commandsSent(mocks.documentClient)).to.deep.equal([
      conditionalPut({ pk: 'raw/clickstream', sk: entry.key, ...entry, sequencer: SEQUENCER }),
    ]);
  });

  it('removes by a tombstone that keeps the sequencer and expires after seven days, on the same condition', async () => {
    // Act
    const written = await catalog.remove(entry, SEQUENCER);

    // Assess
    expect(written).to.equal('written');
    expect(commandsSent(mocks.documentClient)).to.deep.equal([
      conditionalPut({
        pk: 'raw/clickstream',
        sk: entry.key,
        removed: true,
        removedAt: '2026-11-30T10:00:00.000Z',
        expiresAt: Date.parse('2026-12-07T10:00:00.000Z') / 1000,
        sequencer: SEQUENCER,
      }),
    ]);
  });

  for (const [name, write] of Object.entries(writes)) {
    for (const [stored, outcome] of [
      [SEQUENCER, 'replayed'],
      ['00000000000000000000000A1B2C3D4E5F678902', 'stale'],
    ] as const) {
      it(`answers ${outcome} to a ${name} when the stored event is ${outcome === 'replayed' ? 'this one' : 'later'}`, async () => {
        // Prepare
        mocks.documentClient
          .on(PutCommand)
          .rejects(
            new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }),
          );
        mocks.documentClient.on(GetCommand).resolves({ Item: { sequencer: stored } });

        // Act
        const written = await write();

        // Assess
        expect(written).to.equal(outcome);
        expect(mocks.documentClient.commandCalls(GetCommand)[0]?.args[0].input).to.deep.include({
          Key: { pk: 'raw/clickstream', sk: entry.key },
          ConsistentRead: true,
        });
      });
    }

    it(`throws any other failure of a ${name}, so that the event is retried`, async () => {
      // Prepare
      mocks.documentClient
        .on(PutCommand)
        .rejects(
          Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }),
        );

      // Act
      const attempt = write();

      // Assess
      await attempt.then(
        () => expect.fail(`the ${name} succeeded`),
        (error: unknown) => expect(error).to.have.property('name', 'ProvisionedThroughputExceededException'),
      );
    });
  }

  it('finds a live object in a partition folder past a page of tombstones', async () => {
    // Prepare
    mocks.documentClient
      .on(QueryCommand)
      .resolvesOnce({ Items: [], LastEvaluatedKey: { pk: 'raw/clickstream', sk: 'x' } })
      .resolvesOnce({ Items: [{ sk: entry.key }] });

    // Act
    const live = await catalog.hasLiveObjects(entry, 'raw/clickstream/year=2026/month=11/day=29/');

    // Assess
    expect(live).to.equal(true);
    expect(mocks.documentClient.commandCalls(QueryCommand)[0]?.args[0].input).to.deep.include({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :folder)',
      FilterExpression: 'attribute_not_exists(removed)',
      ConsistentRead: true,
    });
  });

  it('finds no live object in an emptied folder', async () => {
    // Prepare
    mocks.documentClient.on(QueryCommand).resolves({ Items: [] });

    // Act
    const live = await catalog.hasLiveObjects(entry, 'raw/clickstream/year=2026/month=11/day=29/');

    // Assess
    expect(live).to.equal(false);
  });
});
