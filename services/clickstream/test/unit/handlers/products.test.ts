import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '@serverless-patterns/shared/clients/dynamodb';
import type { HttpHandler } from '@serverless-patterns/shared/http';
import {
  listProductsResponseSchema,
  type Product,
  productResponseSchema,
} from '@serverless-patterns/shared/schemas/api';
import {
  apiGatewayProxyEvent,
  captureLogsInEachTest,
  commandsSent,
  lambdaContext,
  mockClientsInEachTest,
} from '@serverless-patterns/shared/testing';
import { expect } from 'chai';
import { THERMOSTATS } from '../../../tools/thermostats';
import { functionEnvironmentInThisSuite } from './suite-environment';

/** One of the store's thermostats (the seed data), by id. */
const thermostat = (productId: string): Product => {
  const product = THERMOSTATS.find((candidate) => candidate.productId === productId);
  if (product === undefined) throw new Error(`no thermostat ${productId} in tools/thermostats.ts`);
  return product;
};
const aria = thermostat('th-aria-2');
const nimbus = thermostat('th-nimbus');
const classic = thermostat('th-classic-7');
const dial = thermostat('th-dial');

/** An anonymous shopper's GET, as API Gateway hands it over: no authorizer, no body. */
const get = (resource: string, pathParameters: Record<string, string> | null = null) =>
  apiGatewayProxyEvent({
    method: 'GET',
    resource,
    pathParameters,
    body: null,
    queryStringParameters: null,
    headers: { accept: 'application/json' },
  });

describe('the shop’s product routes', () => {
  functionEnvironmentInThisSuite();
  captureLogsInEachTest();
  const mocks = mockClientsInEachTest({ documentClient });
  let listProducts: HttpHandler;
  let getProduct: HttpHandler;

  before(async () => {
    ({ handler: listProducts } = (await import('../../../src/handlers/list-products')) as {
      handler: HttpHandler;
    });
    ({ handler: getProduct } = (await import('../../../src/handlers/get-product')) as {
      handler: HttpHandler;
    });
  });

  describe('GET /products', () => {
    const context = lambdaContext({ functionName: 'list-products' });

    it('answers every product of every page of the scan, by category then name, cacheable for a minute', async () => {
      mocks.documentClient
        .on(ScanCommand)
        .resolvesOnce({ Items: [nimbus, dial], LastEvaluatedKey: { productId: dial.productId } })
        .resolves({ Items: [classic, aria] });

      const response = await listProducts(get('/products'), context);

      expect(response.statusCode).to.equal(200);
      const { products } = listProductsResponseSchema.parse(JSON.parse(response.body));
      expect(products.map((product) => product.name)).to.deep.equal([
        'Dial Mechanical Thermostat',
        'Classic 7-Day Programmable',
        'Aria Smart Thermostat',
        'Nimbus Wi-Fi Thermostat',
      ]);
      expect(products[2]).to.deep.equal(aria);
      expect(response.headers).to.include({
        'cache-control': 'public, max-age=60',
        'access-control-allow-origin': '*',
      });
      // Both pages were read (the products of both are above); scanAll's own suite checks the keys
      // (lib-dynamodb's paginator reuses one input object, so the recorded inputs all show the last).
      const scans = commandsSent(mocks.documentClient).map((command) => command.input);
      expect(scans).to.have.length(2);
      expect(scans.map((input) => (input as { TableName?: string }).TableName)).to.deep.equal([
        'products-table',
        'products-table',
      ]);
    });

    it('answers an empty list when the store sells nothing yet', async () => {
      mocks.documentClient.on(ScanCommand).resolves({ Items: [] });

      const response = await listProducts(get('/products'), context);

      expect(response.statusCode).to.equal(200);
      expect(JSON.parse(response.body)).to.deep.equal({ products: [] });
    });

    it('answers a 500 in the error shape, not a page with half a product, when an item breaks the schema', async () => {
      mocks.documentClient.on(ScanCommand).resolves({ Items: [aria, { productId: 'th-broken', name: 'X' }] });

      const response = await listProducts(get('/products'), context);

      expect(response.statusCode).to.equal(500);
      expect(JSON.parse(response.body).error.code).to.equal('INTERNAL');
    });
  });

  describe('GET /products/{productId}', () => {
    const context = lambdaContext({ functionName: 'get-product' });

    it('answers the product, read by its key', async () => {
      mocks.documentClient.on(GetCommand).resolves({ Item: aria });

      const response = await getProduct(get('/products/{productId}', { productId: aria.productId }), context);

      expect(response.statusCode).to.equal(200);
      expect(productResponseSchema.parse(JSON.parse(response.body))).to.deep.equal({ product: aria });
      expect(response.headers).to.include({ 'cache-control': 'public, max-age=60' });
      expect(commandsSent(mocks.documentClient).map((command) => command.input)).to.deep.equal([
        { TableName: 'products-table', Key: { productId: aria.productId } },
      ]);
    });

    it('gives a product without a description an empty one', async () => {
      const { description: _left, ...bare } = aria;
      mocks.documentClient.on(GetCommand).resolves({ Item: bare });

      const response = await getProduct(get('/products/{productId}', { productId: bare.productId }), context);

      expect(JSON.parse(response.body).product).to.deep.equal({ ...bare, description: '' });
    });

    it('answers 404 for a product the store does not sell', async () => {
      mocks.documentClient.on(GetCommand).resolves({});

      const response = await getProduct(get('/products/{productId}', { productId: 'th-gone' }), context);

      expect(response.statusCode).to.equal(404);
      expect(JSON.parse(response.body).error).to.deep.include({
        code: 'NOT_FOUND',
        message: 'No product th-gone',
      });
    });

    it('refuses an id that is no identifier with a 400, without reading the table', async () => {
      const response = await getProduct(get('/products/{productId}', { productId: 'th aria/../x' }), context);

      expect(response.statusCode).to.equal(400);
      expect(JSON.parse(response.body).error.details[0].path).to.equal('productId');
      expect(commandsSent(mocks.documentClient)).to.deep.equal([]);
    });
  });
});
