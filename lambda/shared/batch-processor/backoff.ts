/**
 * Exponential backoff with full jitter for in-invocation retries and feeder retries: the wait
 * before attempt `n` is random in `[0, min(cap, base * 2^(n-1)))`. The same function the pool uses.
 *
 * @example
 * ```ts
 * import { backoffDelay } from 'lambda-perf-kit/batch';
 * backoffDelay(3, 50, 1000); // somewhere in [0, 200)
 * ```
 */
export { fullJitterDelay as backoffDelay, sleep } from '../internal/backoff.js';
