// placeholder: replaced by issue 9
/**
 * Placeholder API handler so the CDK stack bundles before the real example lands.
 *
 * @example
 * ```ts
 * await handler();
 * ```
 */
export async function handler(): Promise<{ statusCode: number; body: string }> {
  return { statusCode: 200, body: JSON.stringify({ ok: true }) };
}
