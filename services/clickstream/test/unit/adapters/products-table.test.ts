import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { commandsSent, mockClientsInEachTest } from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { createProductsTable } from '../../../src/adapters/products-table';

const item = (productId: string) => ({
  productId,
  name: `Thermostat ${productId}`,
  category: 'smart',
  price: 100,
});

describe('products table', () => {
  const mocks = mockClientsInEachTest({ documentClient });
  const table = () => createProductsTable({ tableName: 'products', sleep: async () => undefined });

  it('reads products with BatchGetItem, at most 100 keys a call, and leaves unknown ids out', async () => {
    mocks.documentClient
      .on(BatchGetCommand)
      .callsFake((input: { RequestItems: Record<string, { Keys: { productId: string }[] }> }) => ({
        Responses: {
          products: (input.RequestItems.products?.Keys ?? [])
            .filter((key) => key.productId !== 'p-7')
            .map((key) => item(key.productId)),
        },
      }));
    const ids = Array.from({ length: 150 }, (_, index) => `p-${index}`);

    const products = await table().getProducts(ids);

    expect(
      commandsSent(mocks.documentClient).map(
        (command) =>
          (command.input as { RequestItems: { products: { Keys: unknown[] } } }).RequestItems.products.Keys
            .length,
      ),
    ).to.deep.equal([100, 50]);
    expect(products.size).to.equal(149);
    expect(products.get('p-3')).to.deep.equal({ name: 'Thermostat p-3', category: 'smart', price: 100 });
  });

  it('asks again for the keys DynamoDB left unprocessed', async () => {
    mocks.documentClient
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { products: [item('a')] },
        UnprocessedKeys: { products: { Keys: [{ productId: 'b' }] } },
      })
      .resolves({ Responses: { products: [item('b')] } });

    const products = await table().getProducts(['a', 'b']);

    expect([...products.keys()]).to.deep.equal(['a', 'b']);
  });

  it('fails when keys stay unprocessed, so that the invocation is retried', async () => {
    mocks.documentClient
      .on(BatchGetCommand)
      .resolves({ UnprocessedKeys: { products: { Keys: [{ productId: 'a' }] } } });

    const error = (await table()
      .getProducts(['a'])
      .catch((caught: unknown) => caught)) as Error;

    expect(error.message).to.include('unprocessed');
  });
});
