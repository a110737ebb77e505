/**
 * `GET /reports/top-products?category=…`: an aggregate over all orders (hundreds of milliseconds
 * on the database), which is why it is cached for a minute and shared across customers.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { getDatabase } from '../shared/database.js';
import { json } from './http.js';

const CATEGORIES = new Set(['books', 'games', 'garden', 'kitchen', 'music', 'sports', 'toys', 'tools']);

const TOP_PRODUCTS = `
  SELECT p.id, p.sku, sum(o.quantity)::int AS units, sum(o.total)::numeric(14,2) AS revenue
  FROM orders o JOIN products p ON p.id = o.product_id
  WHERE p.category = $1 AND o.status <> 'cancelled'
  GROUP BY p.id, p.sku
  ORDER BY revenue DESC
  LIMIT 10`;

/**
 * @example
 * ```ts
 * await topProducts(makeApiGatewayV2Event('/reports/top-products', { queryStringParameters: { category: 'books' } }));
 * ```
 */
export async function topProducts(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const category = event.queryStringParameters?.category ?? 'books';
  if (!CATEGORIES.has(category)) {
    return json(400, {
      error: `category must be one of ${[...CATEGORIES].join(', ')}; received '${category}'`,
    });
  }
  const { optimizer } = await getDatabase();
  const result = await optimizer.execute(TOP_PRODUCTS, [category], { cache: true, cacheTTL: 60_000 });
  return json(200, { category, products: result.rows }, { 'x-cache': result.source });
}
