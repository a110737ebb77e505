/**
 * Defaults of the batch processor, the batch writer and the queue feeder, in one place.
 *
 * @example
 * ```ts
 * import { BATCH_DEFAULTS } from 'lambda-perf-kit/batch';
 * console.log(BATCH_DEFAULTS.maxConcurrency); // 10
 * ```
 */
export const BATCH_DEFAULTS = {
  /** Records one call processes; the SQS event source delivers at most 10,000. */
  maxBatchSize: 10_000,
  /** In-invocation retries of a record whose error is retryable. */
  maxRetries: 2,
  /** First retry waits up to this long (full jitter), doubling each attempt. */
  retryBaseDelayMs: 50,
  /** Cap of one retry wait. */
  retryMaxDelayMs: 1_000,
  /** Records (or FIFO message groups) processed at the same time. */
  maxConcurrency: 10,
  /** Stop starting records when the invocation has less than this left. */
  remainingTimeThresholdMs: 1_000,
} as const;

/**
 * Defaults of {@link createBatchWriter}.
 *
 * @example
 * ```ts
 * import { WRITER_DEFAULTS } from 'lambda-perf-kit/batch';
 * console.log(WRITER_DEFAULTS.maxWaitMs); // 50
 * ```
 */
export const WRITER_DEFAULTS = {
  maxBatchSize: 25,
  maxWaitMs: 50,
  /** Buffered + in-flight items, as a multiple of `maxBatchSize`. */
  bufferFactor: 4,
  maxConcurrentFlushes: 1,
} as const;

/**
 * SQS service limits the feeder chunks by.
 *
 * @example
 * ```ts
 * import { SQS_LIMITS } from 'lambda-perf-kit/batch';
 * console.log(SQS_LIMITS.maxBatchBytes); // 1048576
 * ```
 */
export const SQS_LIMITS = {
  /** Entries in one SendMessageBatch / DeleteMessageBatch. */
  maxBatchEntries: 10,
  /** Bytes of one message and of one SendMessageBatch (1 MiB since August 2025). */
  maxBatchBytes: 1_048_576,
  /** Characters of a FIFO MessageGroupId / MessageDeduplicationId. */
  maxIdLength: 128,
} as const;

/**
 * Defaults of {@link feedQueue}.
 *
 * @example
 * ```ts
 * import { FEEDER_DEFAULTS } from 'lambda-perf-kit/batch';
 * console.log(FEEDER_DEFAULTS.concurrency); // 8
 * ```
 */
export const FEEDER_DEFAULTS = {
  concurrency: 8,
  maxRetries: 5,
  retryBaseDelayMs: 100,
  retryMaxDelayMs: 5_000,
} as const;

/**
 * The largest number of bind parameters one PostgreSQL statement accepts.
 *
 * @example
 * ```ts
 * import { PG_MAX_PARAMS } from 'lambda-perf-kit/batch';
 * const rowsPerInsert = Math.floor(PG_MAX_PARAMS / columns.length);
 * ```
 */
export const PG_MAX_PARAMS = 65_535;
