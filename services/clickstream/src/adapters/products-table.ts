import { BatchGetCommand, type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import { scanAll } from '@serverless-patterns/shared/dynamodb';
import { type Product, productSchema } from '@serverless-patterns/shared/schemas/api';
import type { ClickedProduct } from '@serverless-patterns/shared/schemas/events';
import type { ProductSource } from '../core/product-cache';
import type { ProductStore } from '../core/product-catalog';

/** BatchGetItem reads at most 100 keys per call. */
const MAX_KEYS = 100;
const MAX_ROUNDS = 5;

/**
 * The store's products (serverless.yml, ProductsTable: productId), for the transformation's
 * enrichment (BatchGetItem) and the shop's pages (Scan, GetItem). Each function's role grants only the
 * action it uses. Keys DynamoDB leaves unprocessed (throttling) are asked again, with a short backoff;
 * what is still unprocessed after a few rounds fails the lookup, so that Firehose retries the invocation.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html
 */
export function createProductsTable({
  client = documentClient,
  tableName,
  sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
}: {
  client?: DynamoDBDocumentClient;
  tableName: string;
  sleep?: (ms: number) => Promise<void>;
}): ProductSource & ProductStore {
  return {
    async getProducts(productIds) {
      const products = new Map<string, ClickedProduct>();
      for (let start = 0; start < productIds.length; start += MAX_KEYS) {
        let keys: Record<string, unknown>[] = productIds
          .slice(start, start + MAX_KEYS)
          .map((productId) => ({ productId }));
        for (let round = 0; keys.length > 0; round += 1) {
          if (round === MAX_ROUNDS) throw new Error(`products table left ${keys.length} keys unprocessed`);
          if (round > 0) await sleep(50 * 2 ** round);
          const { Responses, UnprocessedKeys } = await client.send(
            new BatchGetCommand({
              RequestItems: {
                [tableName]: {
                  Keys: keys,
                  ProjectionExpression: 'productId, #name, category, price',
                  ExpressionAttributeNames: { '#name': 'name' },
                },
              },
            }),
          );
          for (const item of Responses?.[tableName] ?? []) {
            products.set(String(item.productId), {
              name: String(item.name),
              category: String(item.category),
              price: Number(item.price),
            });
          }
          keys = (UnprocessedKeys?.[tableName]?.Keys ?? []) as Record<string, unknown>[];
        }
      }
      return products;
    },

    // A store sells a few dozen products: one page of a scan (up to 1 MB) holds them all; the pages are
    // followed all the same. https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Scan.html
    async listProducts() {
      return (await scanAll(client, { TableName: tableName })).map(productFrom);
    },

    async getProduct(productId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { productId } }));
      return Item === undefined ? undefined : productFrom(Item);
    },
  };
}

/**
 * An item as the shop shows it. The table has no schema of its own: an item that breaks the shared one
 * (no price, a name too long) fails the request, and the function's alarm, rather than reaching a page.
 */
function productFrom(item: Record<string, unknown>): Product {
  const { productId, name, category, price, description = '' } = item;
  return productSchema.parse({ productId, name, category, price, description });
}
