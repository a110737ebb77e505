/**
 * `GET /customers/{id}/orders`: a customer's latest orders with their products, cached per
 * customer for a short time. On the sample dataset (no index on orders.customer_id) this is the
 * query the slow-query log and the index advisor find.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import { getDatabase } from '../shared/database.js';
import { json, positiveIntParam } from './http.js';

const LATEST_ORDERS = `
  SELECT o.id, o.status, o.quantity, o.total, o.created_at, p.sku, p.category
  FROM orders o JOIN products p ON p.id = o.product_id
  WHERE o.customer_id = $1
  ORDER BY o.created_at DESC
  LIMIT 20`;

/**
 * @example
 * ```ts
 * await listCustomerOrders(makeApiGatewayV2Event('/customers/3/orders', { pathParameters: { id: '3' } }));
 * ```
 */
export async function listCustomerOrders(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> {
  const id = positiveIntParam(event.pathParameters?.id, 'id');
  if (typeof id !== 'number') return id;
  const { optimizer } = await getDatabase();
  const result = await optimizer.execute(LATEST_ORDERS, [id], { cache: true, cacheTTL: 10_000 });
  return json(200, { customerId: id, orders: result.rows }, { 'x-cache': result.source });
}
