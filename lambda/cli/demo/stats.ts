/** Small statistics the demo sections share. */

/**
 * The median (the mean of the two middle values for an even count); NaN for no values.
 *
 * @example
 * ```ts
 * median([4, 1, 3, 2]); // 2.5
 * ```
 */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/**
 * The nearest-rank percentile `p` (0–100); NaN for no values.
 *
 * @example
 * ```ts
 * percentile([1, 2, 3, 4], 95); // 4
 * ```
 */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN
  );
}

/**
 * `n` rounded to `digits` decimals, as a number.
 *
 * @example
 * ```ts
 * round(3.14159, 2); // 3.14
 * ```
 */
export function round(n: number, digits = 3): number {
  return Number(n.toFixed(digits));
}
