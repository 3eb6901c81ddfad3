import { json, parsePathParameters } from '@serverless-patterns/shared/http';
import { route } from '@serverless-patterns/shared/route';
import { type ProductResponse, productIdPathSchema } from '@serverless-patterns/shared/schemas/api';
import { productCatalog } from '../composition';
import { PRODUCT_CACHE_CONTROL } from '../core/product-catalog';

const catalog = productCatalog();

/** GET /products/{productId} (/clicks/products/{productId}): one product for the shop's product page. */
export const handler = route(async (event) => {
  const { productId } = parsePathParameters(event, productIdPathSchema);
  const response: ProductResponse = { product: await catalog.get(productId) };
  return json(200, response, { 'cache-control': PRODUCT_CACHE_CONTROL });
});
