/** Small HTTP helpers shared by the API routes. */
import type { APIGatewayProxyResultV2 } from 'aws-lambda';

/**
 * A JSON response.
 *
 * @example
 * ```ts
 * return json(200, { id: 1 });
 * ```
 */
export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/**
 * Parses a positive integer path parameter, or returns a 400 response that says what was wrong.
 *
 * @example
 * ```ts
 * const id = positiveIntParam(event.pathParameters?.id, 'id');
 * if (typeof id !== 'number') return id;
 * ```
 */
export function positiveIntParam(value: string | undefined, name: string): number | APIGatewayProxyResultV2 {
  const n = Number(value);
  if (!value || !Number.isInteger(n) || n < 1 || n > 2_147_483_647) {
    return json(400, {
      error: `path parameter '${name}' must be a whole number from 1 to 2147483647; received '${value ?? ''}'`,
    });
  }
  return n;
}
