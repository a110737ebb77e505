// Shared by the pool and the batch processor; not a public entry point (each module re-exports what it offers).
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

/**
 * Waits `ms` milliseconds. The timer is deliberately not unref'd: a retry waiting here is work in
 * flight, and an unref'd wait lets Node reach `beforeExit` (on Lambda the runtime then answers the
 * invocation as done, and SQS deletes a batch whose records were still waiting to retry).
 *
 * @example
 * ```ts
 * await sleep(fullJitterDelay(attempt, 50, 1000));
 * ```
 */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    setTimeout(resolve, ms);
  });
}
