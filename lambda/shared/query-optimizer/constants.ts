/**
 * Defaults of the query optimizer. Thresholds come from the seeds: seq scan > 10,000 rows, nested
 * loop > 1,000 ms, slow query > 500 ms.
 *
 * @example
 * ```ts
 * import { OPTIMIZER_DEFAULTS } from 'lambda-perf-kit/optimizer';
 * console.log(OPTIMIZER_DEFAULTS.slowQueryMillis); // 500
 * ```
 */
export const OPTIMIZER_DEFAULTS = {
  /** L1 entry time to live. */
  cacheTtlMillis: 60_000,
  /** Share of the function's memory the L1 cache may hold. */
  l1MemoryFraction: 0.1,
  /** Memory assumed off Lambda (no AWS_LAMBDA_FUNCTION_MEMORY_SIZE). */
  defaultMemoryMB: 1024,
  /** Parsed-SQL entries kept (per distinct SQL text). */
  sqlInfoEntries: 1000,
  /** Redis command budget before the optimizer gives up on L2 for that call. */
  redisTimeoutMillis: 50,
  /** Consecutive L2 failures that open the circuit breaker. */
  redisFailureThreshold: 2,
  /** How long L2 is skipped once the breaker opens. */
  redisBreakerMillis: 5_000,
  // The {hash tag} puts every key in one slot, so the MGET of a value plus its tables' generation
  // keys works on cluster-mode ElastiCache (Redis OSS and Valkey, serverless included) without CROSSSLOT.
  redisKeyPrefix: '{lpk:opt}:',
  slowQueryMillis: 500,
  seqScanRows: 10_000,
  nestedLoopMillis: 1_000,
  nestedLoopRows: 10_000,
  misestimateFactor: 10,
  filterRemovedShare: 0.9,
  filterRemovedMinRows: 1_000,
  nodeTimeShare: 0.5,
  slowLogEntries: 200,
  batchConcurrency: 4,
  minCostSaving: 0.5,
} as const;
