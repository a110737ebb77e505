/**
 * Exponential backoff with full jitter: a random wait in [0, min(cap, base * 2^(attempt-1))).
 *
 * @example
 * ```ts
 * import { backoffDelay } from 'lambda-perf-kit/batch';
 * const ms = backoffDelay(3, 50, 1000); // somewhere in [0, 200)
 * ```
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(Math.random() * ceiling);
}

/**
 * Waits `ms` milliseconds (an unref'd timer, so it never keeps a process alive on its own).
 *
 * @example
 * ```ts
 * await sleep(backoffDelay(attempt, 50, 1000));
 * ```
 */
export function sleep(ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });
}
