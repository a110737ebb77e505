import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { getLogger, getMetrics, MetricName, MetricUnit } from '../observability/index.js';
import { backoffDelay, sleep } from './backoff.js';
import { BATCH_DEFAULTS } from './constants.js';
import {
  FullBatchFailureError,
  isRetryableError,
  RecordParseError,
  RecordSkippedError,
  RecordTimeoutError,
} from './errors.js';
import { parseRecordBody } from './parseRecord.js';
import type {
  BatchStats,
  LambdaContextLike,
  ProcessSQSBatchOptions,
  RecordInfo,
  SQSBatchItemFailure,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
  SQSRecordHandler,
} from './types.js';

interface Resolved<TBody> {
  context: LambdaContextLike | undefined;
  maxBatchSize: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  isRetryable: (error: unknown) => boolean;
  partialFailureEnabled: boolean;
  concurrency: number;
  recordTimeoutMs: number;
  thresholdMs: number;
  throwOnFullBatchFailure: boolean;
  parse: boolean;
  schema: StandardSchemaV1<unknown, TBody> | undefined;
  fifo: boolean | undefined;
  metrics: Metrics | false;
  logger: Pick<Logger, 'warn'> | false;
  onStats: ((stats: BatchStats) => void) | undefined;
}

const describe = (value: unknown): string => {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return `an object with keys [${Object.keys(value).slice(0, 5).join(', ')}]`;
  return `${typeof value} ${String(value).slice(0, 40)}`;
};

function int(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw new RangeError(
      `processSQSBatch: options.${name} must be a whole number from ${min} to ${max}; received ${String(value)}`,
    );
  }
  return resolved;
}

function resolve<TBody>(options: ProcessSQSBatchOptions<TBody>): Resolved<TBody> {
  const max = Number.MAX_SAFE_INTEGER;
  const parallel = options.parallelProcessing ?? true;
  const maxConcurrency = int('maxConcurrency', options.maxConcurrency, BATCH_DEFAULTS.maxConcurrency, 1, max);
  if (options.context !== undefined && typeof options.context?.getRemainingTimeInMillis !== 'function') {
    throw new TypeError(
      `processSQSBatch: options.context must be the Lambda context (with getRemainingTimeInMillis()); received ${describe(options.context)}`,
    );
  }
  if (options.schema !== undefined && typeof options.schema?.['~standard']?.validate !== 'function') {
    throw new TypeError(
      `processSQSBatch: options.schema must be a Standard Schema validator (zod, valibot, ...); received ${describe(options.schema)}`,
    );
  }
  return {
    context: options.context,
    maxBatchSize: int('maxBatchSize', options.maxBatchSize, BATCH_DEFAULTS.maxBatchSize, 1, max),
    maxRetries: int('maxRetries', options.maxRetries, BATCH_DEFAULTS.maxRetries, 0, 100),
    retryBaseDelayMs: int(
      'retryBaseDelayMs',
      options.retryBaseDelayMs,
      BATCH_DEFAULTS.retryBaseDelayMs,
      0,
      max,
    ),
    retryMaxDelayMs: int('retryMaxDelayMs', options.retryMaxDelayMs, BATCH_DEFAULTS.retryMaxDelayMs, 0, max),
    isRetryable: options.isRetryable ?? isRetryableError,
    partialFailureEnabled: options.partialFailureEnabled ?? true,
    concurrency: parallel ? maxConcurrency : 1,
    recordTimeoutMs: int('recordTimeoutMs', options.recordTimeoutMs, 0, 0, 2_147_483_647),
    thresholdMs: int(
      'remainingTimeThresholdMs',
      options.remainingTimeThresholdMs,
      BATCH_DEFAULTS.remainingTimeThresholdMs,
      0,
      max,
    ),
    throwOnFullBatchFailure: options.throwOnFullBatchFailure ?? true,
    parse: options.parseJson ?? options.schema !== undefined,
    schema: options.schema,
    fifo: options.fifo,
    metrics: options.metrics ?? getMetrics(),
    logger: options.logger ?? getLogger(),
    onStats: options.onStats,
  };
}

function validateEvent(event: unknown): SQSRecord[] {
  const records = (event as SQSEvent | null)?.Records;
  if (typeof event !== 'object' || event === null || !Array.isArray(records)) {
    throw new TypeError(
      `processSQSBatch: event must be an SQS event ({ Records: [...] }); received ${describe(event)}`,
    );
  }
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as Partial<SQSRecord> | null | undefined;
    if (typeof record !== 'object' || record === null || typeof record.messageId !== 'string') {
      throw new TypeError(
        `processSQSBatch: event.Records[${i}] must be an SQS record with a string messageId; received ${describe(record)}`,
      );
    }
    if (record.eventSource !== undefined && record.eventSource !== 'aws:sqs') {
      throw new TypeError(
        `processSQSBatch: event.Records[${i}] comes from '${String(record.eventSource)}', not 'aws:sqs'`,
      );
    }
  }
  return records;
}

/** The third handler argument; the AbortController is made only when someone reads `signal`. */
class Info<TBody> implements RecordInfo<TBody> {
  constructor(
    readonly body: TBody,
    readonly attempt: number,
    private controller?: AbortController,
  ) {}
  get signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }
}

const DEADLINE = Symbol('deadline');
const noop = (): void => undefined;
const isThenable = (value: unknown): value is Promise<unknown> =>
  typeof (value as Promise<unknown> | null)?.then === 'function';

/**
 * One timer per call (not per record) for the invocation's deadline: when the remaining time reaches
 * the threshold, running records are aborted and reported failed so the response goes back in time.
 */
class Deadline {
  readonly controller = new AbortController();
  readonly promise: Promise<never>;
  readonly ms: number;
  private timer: NodeJS.Timeout | undefined;
  constructor(ms: number) {
    this.ms = Math.min(2_147_483_647, Math.max(1, Math.floor(ms))); // setTimeout's range
    this.promise = new Promise<never>((_, reject) => {
      this.timer = setTimeout(() => {
        reject(DEADLINE); // first, so a handler that returns on abort still counts as timed out
        this.controller.abort(new Error('the invocation is running out of time'));
      }, this.ms);
    });
    this.promise.catch(noop);
  }
  clear(): void {
    clearTimeout(this.timer);
  }
}

/** Per-call state: lives on the stack of one call, never in module scope. */
class Run<TBody> {
  retried = 0;
  timedOut = 0;
  stopped = false;
  /** index → undefined (not started), null (succeeded) or the error */
  readonly outcome: Array<unknown>;
  readonly deadline: Deadline | undefined;
  constructor(
    readonly records: SQSRecord[],
    readonly handler: SQSRecordHandler<TBody>,
    readonly cfg: Resolved<TBody>,
  ) {
    this.outcome = new Array(records.length);
    const context = cfg.context;
    this.deadline =
      context && cfg.recordTimeoutMs === 0
        ? new Deadline(context.getRemainingTimeInMillis() - cfg.thresholdMs)
        : undefined;
  }

  /** Whether a new record may start (false once the invocation runs low on time). */
  mayStart(): boolean {
    if (this.stopped) return false;
    const context = this.cfg.context;
    if (context && context.getRemainingTimeInMillis() <= this.cfg.thresholdMs) this.stopped = true;
    return !this.stopped;
  }

  /** Runs record `index` with retries; stores and returns its outcome (null = success). */
  async run(index: number): Promise<unknown> {
    const record = this.records[index] as SQSRecord;
    const cfg = this.cfg;
    let body: TBody = undefined as TBody;
    if (cfg.parse) {
      try {
        body = await parseRecordBody(record.messageId, record.body, cfg.schema);
      } catch (error) {
        if (cfg.logger) cfg.logger.warn((error as Error).message, { messageId: record.messageId });
        this.outcome[index] = error;
        return error;
      }
    }
    for (let attempt = 1; ; attempt++) {
      try {
        await this.call(record, body, attempt);
        this.outcome[index] = null;
        return null;
      } catch (error) {
        let retry =
          !(error instanceof RecordTimeoutError) && attempt <= cfg.maxRetries && cfg.isRetryable(error);
        const delay = retry ? backoffDelay(attempt, cfg.retryBaseDelayMs, cfg.retryMaxDelayMs) : 0;
        if (retry && cfg.context && cfg.context.getRemainingTimeInMillis() - delay <= cfg.thresholdMs) {
          retry = false;
        }
        if (!retry) {
          if (error instanceof RecordTimeoutError) this.timedOut++;
          this.outcome[index] = error ?? new Error(`record ${record.messageId} failed with ${String(error)}`);
          return this.outcome[index];
        }
        this.retried++;
        await sleep(delay);
      }
    }
  }

  private call(record: SQSRecord, body: TBody, attempt: number): Promise<unknown> | unknown {
    const cfg = this.cfg;
    if (cfg.recordTimeoutMs > 0) return this.callWithTimeout(record, body, attempt);
    const deadline = this.deadline;
    const result = this.handler(record, cfg.context, new Info(body, attempt, deadline?.controller));
    if (!deadline || !isThenable(result)) return result;
    result.then(noop, noop); // a late rejection after the deadline must not go unhandled
    return Promise.race([result, deadline.promise]).catch((error: unknown) => {
      throw error === DEADLINE ? new RecordTimeoutError(record.messageId, deadline.ms) : error;
    });
  }

  private callWithTimeout(record: SQSRecord, body: TBody, attempt: number): Promise<unknown> {
    const cfg = this.cfg;
    let timeoutMs = cfg.recordTimeoutMs;
    if (cfg.context)
      timeoutMs = Math.min(timeoutMs, cfg.context.getRemainingTimeInMillis() - cfg.thresholdMs);
    const limit = Math.max(1, Math.floor(timeoutMs));
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new RecordTimeoutError(record.messageId, limit);
        reject(error);
        controller.abort(error);
      }, limit);
    });
    const work = (async () => this.handler(record, cfg.context, new Info(body, attempt, controller)))();
    work.catch(noop); // a late rejection after the timeout must not go unhandled
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}

const isFifo = (records: SQSRecord[]): boolean => {
  const first = records[0];
  return (
    first !== undefined &&
    (first.attributes?.MessageGroupId !== undefined || (first.eventSourceARN ?? '').endsWith('.fifo'))
  );
};

/** Runs `count` workers over a shared cursor: bounded concurrency, no per-item promise array. */
async function pool(count: number, worker: () => Promise<void>): Promise<void> {
  if (count === 1) return worker();
  const workers: Array<Promise<void>> = new Array(count);
  for (let i = 0; i < count; i++) workers[i] = worker();
  await Promise.all(workers);
}

async function runStandard<TBody>(run: Run<TBody>, count: number): Promise<void> {
  let next = 0;
  await pool(Math.min(run.cfg.concurrency, count), async () => {
    while (next < count && run.mayStart()) await run.run(next++);
  });
}

async function runFifo<TBody>(run: Run<TBody>, count: number): Promise<void> {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < count; i++) {
    const id = run.records[i]?.attributes?.MessageGroupId ?? '';
    const group = groups.get(id);
    if (group) group.push(i);
    else groups.set(id, [i]);
  }
  const queue = [...groups.values()];
  let next = 0;
  await pool(Math.min(run.cfg.concurrency, queue.length), async () => {
    while (next < queue.length) {
      const group = queue[next++] as number[];
      for (let k = 0; k < group.length; k++) {
        const index = group[k] as number;
        if (!run.mayStart()) return;
        if ((await run.run(index)) !== null) {
          for (let rest = k + 1; rest < group.length; rest++) {
            const skipped = group[rest] as number;
            run.outcome[skipped] = new RecordSkippedError(
              run.records[skipped]?.messageId ?? '',
              'fifo-group-failed',
            );
          }
          break;
        }
      }
    }
  });
}

/**
 * Processes an SQS batch record by record and returns the partial batch response Lambda expects.
 *
 * Records run with bounded concurrency (`maxConcurrency`); FIFO records run in order within their
 * message group, groups in parallel, and a failure fails the rest of its group. Retryable errors are
 * retried in the invocation with exponential backoff and full jitter. When the invocation runs low on
 * time (`options.context`), unstarted records are reported failed so SQS redelivers them. Only
 * `messageId`s from the batch are reported, each at most once. When every record fails it throws a
 * {@link FullBatchFailureError} (so the event source backs off) unless `throwOnFullBatchFailure: false`.
 *
 * @example
 * ```ts
 * import type { SQSHandler } from 'aws-lambda';
 * import { processSQSBatch, RetryableError } from 'lambda-perf-kit/batch';
 *
 * export const handler: SQSHandler = (event, context) =>
 *   processSQSBatch(
 *     event,
 *     async (record, _context, { body, signal }) => {
 *       const res = await fetch('https://example.com/orders', { method: 'POST', body: JSON.stringify(body), signal });
 *       if (res.status >= 500) throw new RetryableError(`orders API ${res.status}`);
 *     },
 *     { context, parseJson: true, maxConcurrency: 10, recordTimeoutMs: 5_000 },
 *   );
 * ```
 */
export async function processSQSBatch<TBody = unknown>(
  event: SQSEvent,
  handler: SQSRecordHandler<TBody>,
  options: ProcessSQSBatchOptions<TBody> = {},
): Promise<SQSBatchResponse> {
  const records = validateEvent(event);
  if (typeof handler !== 'function') {
    throw new TypeError(`processSQSBatch: handler must be a function; received ${describe(handler)}`);
  }
  const cfg = resolve(options);
  if (records.length === 0) return { batchItemFailures: [] };
  const started = performance.now();
  const run = new Run(records, handler, cfg);
  const count = Math.min(records.length, cfg.maxBatchSize);
  try {
    if (cfg.fifo ?? isFifo(records)) await runFifo(run, count);
    else await runStandard(run, count);
  } finally {
    run.deadline?.clear();
  }

  const batchItemFailures: SQSBatchItemFailure[] = [];
  const reported = new Set<string>();
  const errors: Array<{ messageId: string; error: unknown }> = [];
  let skipped = 0;
  for (let i = 0; i < records.length; i++) {
    let outcome = run.outcome[i];
    if (outcome === null) continue;
    const messageId = (records[i] as SQSRecord).messageId;
    if (outcome === undefined) {
      outcome = new RecordSkippedError(messageId, i >= count ? 'over-max-batch-size' : 'remaining-time');
    }
    if (outcome instanceof RecordSkippedError) skipped++;
    errors.push({ messageId, error: outcome });
    if (!reported.has(messageId)) {
      reported.add(messageId);
      batchItemFailures.push({ itemIdentifier: messageId });
    }
  }
  const stats: BatchStats = {
    records: records.length,
    processed: records.length - errors.length,
    failed: errors.length,
    retried: run.retried,
    timedOut: run.timedOut,
    skipped,
    durationMs: performance.now() - started,
  };
  if (cfg.metrics) {
    const m = cfg.metrics;
    m.addMetric(MetricName.RecordsProcessed, MetricUnit.Count, stats.processed);
    m.addMetric(MetricName.RecordsFailed, MetricUnit.Count, stats.failed);
    m.addMetric(MetricName.RecordsRetried, MetricUnit.Count, stats.retried);
    m.addMetric(MetricName.RecordsTimedOut, MetricUnit.Count, stats.timedOut);
    m.addMetric(MetricName.BatchDuration, MetricUnit.Milliseconds, stats.durationMs);
  }
  cfg.onStats?.(stats);
  if (errors.length > 0 && cfg.logger) logFailures(cfg.logger, errors, stats);

  if (errors.length === records.length && cfg.throwOnFullBatchFailure) {
    throw new FullBatchFailureError(
      `all ${records.length} records failed (first: ${firstMessage(errors)}); thrown so the event source backs off — pass throwOnFullBatchFailure: false to return them as batchItemFailures instead`,
      errors,
    );
  }
  if (errors.length > 0 && !cfg.partialFailureEnabled) {
    throw new FullBatchFailureError(
      `${errors.length} of ${records.length} records failed and partialFailureEnabled is false, so the whole batch is redelivered (first: ${firstMessage(errors)})`,
      errors,
    );
  }
  return { batchItemFailures };
}

const firstMessage = (errors: ReadonlyArray<{ error: unknown }>): string => {
  const error = errors[0]?.error;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
};

function logFailures(
  logger: Pick<Logger, 'warn'>,
  errors: ReadonlyArray<{ messageId: string; error: unknown }>,
  stats: BatchStats,
): void {
  // Malformed records were logged one by one with their reason; the rest get one line per batch.
  const rest = errors.filter((e) => !(e.error instanceof RecordParseError));
  if (rest.length === 0) return;
  const first = rest[0]?.error;
  logger.warn(
    `${stats.failed} of ${stats.records} records failed (${stats.skipped} not started, ${stats.timedOut} timed out); reported in batchItemFailures for redelivery`,
    {
      failedMessageIds: rest.slice(0, 100).map((e) => e.messageId),
      firstError:
        first instanceof Error
          ? { name: first.name, message: first.message, stack: first.stack }
          : String(first),
    },
  );
}
