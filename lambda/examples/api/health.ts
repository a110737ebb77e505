/**
 * `GET /health`: answers without touching the database, so it needs none of the heavy modules
 * (its chunk is tiny and the pool is never loaded for it).
 */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';

/**
 * @example
 * ```ts
 * await health(); // { statusCode: 200, body: '{"status":"ok"}' }
 * ```
 */
export async function health(): Promise<APIGatewayProxyResultV2> {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'ok' }),
  };
}
