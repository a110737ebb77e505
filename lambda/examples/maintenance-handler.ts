// placeholder: replaced by issue 9
/**
 * Placeholder maintenance handler so the CDK stack bundles before the real example lands.
 *
 * @example
 * ```ts
 * await handler();
 * ```
 */
export async function handler(): Promise<{ ok: boolean }> {
  return { ok: true };
}
