/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * the wait before retry `n` (1-based) is random in `[0, min(maxDelay, base * 2^(n-1)))`, so many
 * environments retrying at once spread out instead of hitting the database in waves.
 *
 * @example
 * ```ts
 * fullJitterDelay(3, 50, 1000); // somewhere in [0, 200)
 * ```
 */
export function fullJitterDelay(
  retry: number,
  baseDelayMillis: number,
  maxDelayMillis: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxDelayMillis, baseDelayMillis * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
