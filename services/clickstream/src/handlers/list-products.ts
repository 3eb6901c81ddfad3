import { json } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import type { ListProductsResponse } from '@serverless-patterns/shared/schemas/api';
import { productCatalog } from '../composition';
import { PRODUCT_CACHE_CONTROL } from '../core/product-catalog';

const catalog = productCatalog();

/** GET /products (/clicks/products): the shop's product list, anonymous. */
export const handler = route(async () => {
  const response: ListProductsResponse = { products: await catalog.list() };
  return json(200, response, { 'cache-control': PRODUCT_CACHE_CONTROL });
});
