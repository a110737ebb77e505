// placeholder: replaced by issue 9
/**
 * Placeholder SQS worker so the CDK stack bundles before the real example lands.
 *
 * @example
 * ```ts
 * await handler();
 * ```
 */
export async function handler(): Promise<{ batchItemFailures: { itemIdentifier: string }[] }> {
  return { batchItemFailures: [] };
}
