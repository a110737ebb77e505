/**
 * `GET /products/{id}`: a primary-key read served from the optimizer's cache (memory, then Redis,
 * then PostgreSQL), on the reader endpoint when one is configured.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { getDatabase } from '../shared/database.js';
import { json, positiveIntParam } from './http.js';

/**
 * @example
 * ```ts
 * await getProduct(makeApiGatewayV2Event('/products/7', { pathParameters: { id: '7' } }));
 * ```
 */
export async function getProduct(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const id = positiveIntParam(event.pathParameters?.id, 'id');
  if (typeof id !== 'number') return id;
  const { optimizer } = await getDatabase();
  const result = await optimizer.execute(
    'SELECT id, sku, category, price FROM products WHERE id = $1',
    [id],
    {
      cache: true,
      cacheTTL: 60_000,
    },
  );
  const product = result.rows[0];
  if (!product) return json(404, { error: `no product with id ${id}` });
  return json(200, product, { 'x-cache': result.source });
}
