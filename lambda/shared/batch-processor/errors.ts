import type { FeedMessage, FeedResult } from './feedQueue.js';

/**
 * The batch module's errors. Every one extends {@link BatchError} and keeps the original error as
 * `cause`.
 */

/**
 * Base class of every error the batch module throws or reports.
 *
 * @example
 * ```ts
 * import { BatchError } from 'lambda-perf-kit/batch';
 * try { await processSQSBatch(event, handler, { context }); } catch (e) { if (e instanceof BatchError) console.log(e.name); }
 * ```
 */
export class BatchError extends Error {
  override name = 'BatchError';
}

/**
 * Throw it (or an error with `retryable: true`) from a record handler to have the record retried in
 * the same invocation, with exponential backoff and full jitter, up to `maxRetries` times.
 *
 * @example
 * ```ts
 * import { RetryableError } from 'lambda-perf-kit/batch';
 * const handler = async () => { throw new RetryableError('downstream 503', { cause: err }); };
 * ```
 */
export class RetryableError extends BatchError {
  override name = 'RetryableError';
  readonly retryable = true;
}

/**
 * A record's body is not JSON or does not pass the schema: a failure of that record only.
 *
 * @example
 * ```ts
 * import { RecordParseError } from 'lambda-perf-kit/batch';
 * if (error instanceof RecordParseError) console.log(error.messageId, error.issues);
 * ```
 */
export class RecordParseError extends BatchError {
  override name = 'RecordParseError';
  constructor(
    message: string,
    readonly messageId: string,
    readonly issues: readonly string[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A record handler ran longer than `recordTimeoutMs` (or than the invocation had left); the record is
 * reported failed and its `AbortSignal` aborted.
 *
 * @example
 * ```ts
 * import { RecordTimeoutError } from 'lambda-perf-kit/batch';
 * if (error instanceof RecordTimeoutError) console.log(error.timeoutMs);
 * ```
 */
export class RecordTimeoutError extends BatchError {
  override name = 'RecordTimeoutError';
  constructor(
    readonly messageId: string,
    readonly timeoutMs: number,
  ) {
    super(`record ${messageId} did not finish within ${timeoutMs} ms; reported failed (SQS redelivers it)`);
  }
}

/**
 * The record was not started: the invocation ran low on time, an earlier record of its FIFO message
 * group failed, or the batch was larger than `maxBatchSize`. Reported failed so SQS redelivers it.
 *
 * @example
 * ```ts
 * import { RecordSkippedError } from 'lambda-perf-kit/batch';
 * if (error instanceof RecordSkippedError) console.log(error.reason);
 * ```
 */
export class RecordSkippedError extends BatchError {
  override name = 'RecordSkippedError';
  constructor(
    readonly messageId: string,
    readonly reason: 'remaining-time' | 'fifo-group-failed' | 'over-max-batch-size',
  ) {
    super(`record ${messageId} not started (${reason}); reported failed so SQS redelivers it`);
  }
}

/**
 * Every record of the batch failed (thrown so the event source backs off), or `partialFailureEnabled`
 * is `false` and at least one failed. `errors` holds each record's error.
 *
 * @example
 * ```ts
 * import { FullBatchFailureError } from 'lambda-perf-kit/batch';
 * if (error instanceof FullBatchFailureError) console.log(error.errors.length);
 * ```
 */
export class FullBatchFailureError extends BatchError {
  override name = 'FullBatchFailureError';
  constructor(
    message: string,
    readonly errors: ReadonlyArray<{ messageId: string; error: unknown }>,
  ) {
    super(message, { cause: errors[0]?.error });
  }
}

/**
 * Items a batch writer could not write. `items` are the items themselves, so nothing is lost.
 *
 * @example
 * ```ts
 * import { BatchWriteError } from 'lambda-perf-kit/batch';
 * try { await writer.write(row); } catch (e) { if (e instanceof BatchWriteError) retryLater(e.items); }
 * ```
 */
export class BatchWriteError<T = unknown> extends BatchError {
  override name = 'BatchWriteError';
  constructor(
    message: string,
    readonly items: readonly T[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Whether an error asks for an in-invocation retry: a {@link RetryableError}, or any error with a
 * `retryable: true` property.
 *
 * @example
 * ```ts
 * import { isRetryableError } from 'lambda-perf-kit/batch';
 * isRetryableError(Object.assign(new Error('x'), { retryable: true })); // true
 * ```
 */
export function isRetryableError(error: unknown): boolean {
  return (
    error instanceof RetryableError ||
    (typeof error === 'object' && error !== null && (error as { retryable?: unknown }).retryable === true)
  );
}

/**
 * `feedQueue`'s input (the iterable of messages) threw part-way. Everything read before that was
 * still sent; `result` says what was sent and which messages failed, and `cause` is the input's error.
 * @example
 * ```ts
 * import { FeedInputError } from 'lambda-perf-kit/batch';
 * try { await feedQueue(lines, options); } catch (e) { if (e instanceof FeedInputError) console.log(e.result.failed); }
 * ```
 */
export class FeedInputError<M = string | FeedMessage> extends BatchError {
  override name = 'FeedInputError';
  constructor(
    cause: unknown,
    readonly result: FeedResult<M>,
  ) {
    super(
      `the messages' input failed after ${result.sent} were sent (${result.failed.length} failed to send, see .result): ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { cause },
    );
  }
}
