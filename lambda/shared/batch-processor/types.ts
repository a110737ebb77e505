import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Context, SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type { SQSBatchItemFailure, SQSBatchResponse, SQSEvent, SQSRecord };

/** The part of the Lambda `Context` the processor uses. */
export type LambdaContextLike = Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>;

/** What the processor passes as the third argument of a record handler. */
export interface RecordInfo<TBody = unknown> {
  /** The parsed (and, with `schema`, validated) body; `undefined` unless `parseJson` or `schema` is set. */
  readonly body: TBody;
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** Aborted when the record times out (`recordTimeoutMs` or the invocation's remaining time). */
  readonly signal: AbortSignal;
}

/**
 * A record handler. The shape Powertools' `processPartialResponse` accepts — `(record, context)` —
 * works unchanged; the third argument adds the parsed body, the attempt number and an AbortSignal.
 * Throw to fail the record; throw a {@link RetryableError} to have it retried in this invocation.
 */
export type SQSRecordHandler<TBody = unknown> = (
  record: SQSRecord,
  context: LambdaContextLike | undefined,
  info: RecordInfo<TBody>,
) => unknown;

/** Options of {@link processSQSBatch}. */
export interface ProcessSQSBatchOptions<TBody = unknown> {
  /**
   * The Lambda `context`: drives the remaining-time guard and is passed to the handler.
   * @default - no remaining-time guard
   */
  context?: LambdaContextLike;
  /**
   * Records processed in one call; the rest are reported failed (SQS redelivers them) with a warning.
   * @default 10000
   */
  maxBatchSize?: number;
  /**
   * In-invocation retries of a record whose error is retryable (see `isRetryable`). 0 turns retries off.
   * @default 2
   */
  maxRetries?: number;
  /** @default 50 — the first retry waits a random 0–50 ms, doubling each attempt (full jitter) */
  retryBaseDelayMs?: number;
  /** @default 1000 */
  retryMaxDelayMs?: number;
  /**
   * Which errors are retried in the invocation.
   * @default - `RetryableError` and errors with `retryable: true`
   */
  isRetryable?: (error: unknown) => boolean;
  /**
   * `true`: failed records are returned in `batchItemFailures` (needs `ReportBatchItemFailures` on the
   * event source mapping). `false`: any failure throws, so the whole batch is redelivered.
   * @default true
   */
  partialFailureEnabled?: boolean;
  /**
   * Whether records (FIFO: message groups) run concurrently. `false` is the same as `maxConcurrency: 1`.
   * @default true
   */
  parallelProcessing?: boolean;
  /** Records (FIFO: message groups) in flight at once. @default 10 */
  maxConcurrency?: number;
  /**
   * A record that takes longer is reported failed and its signal aborted. 0 turns it off (the
   * remaining-time guard still applies when `context` is given).
   * @default 0
   */
  recordTimeoutMs?: number;
  /**
   * Stop starting records when `context.getRemainingTimeInMillis()` is below this; running records are
   * aborted at this margin too, so the response always goes back before Lambda's own timeout.
   * @default 1000
   */
  remainingTimeThresholdMs?: number;
  /**
   * Throw a {@link FullBatchFailureError} when every record failed, so the event source backs off.
   * @default true
   */
  throwOnFullBatchFailure?: boolean;
  /**
   * Parse each body as JSON into `info.body`; a malformed body fails that record only.
   * @default false (true when `schema` is set)
   */
  parseJson?: boolean;
  /**
   * A Standard Schema validator (zod, valibot, arktype, ...) the parsed body must pass.
   * @default - no validation
   */
  schema?: StandardSchemaV1<unknown, TBody>;
  /**
   * FIFO processing (in order per message group).
   * @default - detected from the records (`MessageGroupId` attribute or a `.fifo` source ARN)
   */
  fifo?: boolean;
  /**
   * Where the counters go (`RecordsProcessed`, `RecordsFailed`, `RecordsRetried`, `RecordsTimedOut`,
   * `BatchDuration`); `false` turns them off. Publishing is up to you (`publishStoredMetrics()`).
   * @default - the toolkit's `getMetrics()`
   */
  metrics?: Metrics | false;
  /**
   * Where a failed record (one line per batch with the failed ids and first error) and a malformed record
   * (one line each) are logged at WARN; `false` turns logging off.
   * @default - the toolkit's `getLogger()`
   */
  logger?: Pick<Logger, 'warn'> | false;
  /**
   * Called once per call with its counts (after metrics are added, before any throw).
   * @default - none
   */
  onStats?: (stats: BatchStats) => void;
}

/** Counts of one {@link processSQSBatch} call (also what the metrics publish). */
export interface BatchStats {
  records: number;
  processed: number;
  failed: number;
  retried: number;
  timedOut: number;
  skipped: number;
  durationMs: number;
}
