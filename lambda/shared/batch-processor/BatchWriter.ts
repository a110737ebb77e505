import type { Metrics } from '@aws-lambda-powertools/metrics';
import { describeError, getLogger, getMetrics, MetricName, MetricUnit } from '../observability/index.js';
import { WRITER_DEFAULTS } from './constants.js';
import { BatchWriteError } from './errors.js';

/** An item a flush could not write, with why. */
export interface FailedItem<T> {
  item: T;
  error: unknown;
}

/**
 * What a write function returns: nothing (all written), or the items that were not written.
 * Throwing fails every item of the chunk. Failed items are matched to the chunk by identity (`===`).
 */
export type WriteResult<T> = undefined | { failed?: ReadonlyArray<FailedItem<T>> };

/** Writes one chunk (at most `maxBatchSize` items). */
export type WriteFn<T> = (items: T[]) => Promise<WriteResult<T>> | Promise<void>;

/** Options of {@link createBatchWriter}. */
export interface BatchWriterOptions<T> {
  /** Items per write call; a full buffer flushes at once. @default 25 */
  maxBatchSize?: number;
  /** A non-full buffer flushes this long after its first item. 0 = only by size or `flush()`. @default 50 */
  maxWaitMs?: number;
  /**
   * Buffered plus in-flight items; `add()`/`write()` wait (backpressure) while this many are held.
   * @default 4 × maxBatchSize
   */
  maxBufferedItems?: number;
  /** Write calls in flight at once. @default 1 */
  maxConcurrentFlushes?: number;
  /**
   * Called with the items of a failed write that were added with `add()` (items added with `write()`
   * reject their own promise instead). They also stay in `takeFailed()` until taken.
   * @default - none (failures are kept for `takeFailed()` and logged)
   */
  onFailure?: (failed: ReadonlyArray<FailedItem<T>>) => void;
  /**
   * Flush on the process' `beforeExit` (event loop empty) so a short script does not lose items.
   * In Lambda, call `flush()` before returning (the environment is frozen, not exited).
   * @default true
   */
  flushOnExit?: boolean;
  /** Where `BatchWriterFlushed` / `BatchWriterFailed` go; `false` turns them off. @default - `getMetrics()` */
  metrics?: Metrics | false;
}

/** Counters of a {@link BatchWriter}. */
export interface BatchWriterStats {
  added: number;
  written: number;
  failed: number;
  flushes: number;
  /** items waiting in the buffer */
  buffered: number;
  /** items in write calls right now */
  inFlight: number;
  /** `add()`/`write()` calls waiting for room */
  waiting: number;
}

/** What `flush()` and `close()` resolve with. */
export interface FlushReport<T> {
  written: number;
  /** items added with `add()` whose write failed and that were not yet taken */
  failed: ReadonlyArray<FailedItem<T>>;
}

/** A buffering writer; see {@link createBatchWriter}. */
export interface BatchWriter<T> {
  /** Buffers `item`; resolves once it is buffered (waits while the buffer is full). A failure later goes to `onFailure`/`takeFailed()`. */
  add(item: T): Promise<void>;
  /** Buffers `item` and resolves when it is written; rejects with a {@link BatchWriteError} if its write failed. */
  write(item: T): Promise<void>;
  /** Writes everything buffered and waits for writes in flight. */
  flush(): Promise<FlushReport<T>>;
  /** Flushes, then refuses new items. Safe to call twice. */
  close(): Promise<FlushReport<T>>;
  /** Removes and returns the failed `add()` items kept so far. */
  takeFailed(): FailedItem<T>[];
  readonly stats: BatchWriterStats;
  [Symbol.asyncDispose](): Promise<void>;
}

interface Entry<T> {
  item: T;
  settle?: { resolve: () => void; reject: (error: unknown) => void };
}

function count(name: string, value: number | undefined, fallback: number, min: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min) {
    throw new RangeError(
      `createBatchWriter: options.${name} must be a whole number ≥ ${min}; received ${String(value)}`,
    );
  }
  return resolved;
}

/**
 * Buffers items and writes them in chunks through `fn`: when `maxBatchSize` items are buffered, when
 * the oldest has waited `maxWaitMs`, on `flush()`/`close()` and on process exit. Memory is bounded:
 * `add()` and `write()` wait while `maxBufferedItems` are held. Nothing is dropped silently: a failed
 * item rejects its `write()` promise, or (for `add()`) goes to `onFailure` and `takeFailed()` and is
 * logged.
 *
 * @example
 * ```ts
 * import { createBatchWriter, pgInsertWriteFn } from 'lambda-perf-kit/batch';
 * const writer = createBatchWriter(pgInsertWriteFn(pool, 'events', ['id', 'payload']), { maxBatchSize: 100, maxWaitMs: 20 });
 * await writer.write({ id: 1, payload: '{}' }); // resolves when its INSERT committed
 * await writer.flush();
 * ```
 */
export function createBatchWriter<T>(fn: WriteFn<T>, options: BatchWriterOptions<T> = {}): BatchWriter<T> {
  if (typeof fn !== 'function') {
    throw new TypeError(`createBatchWriter: fn must be a function; received ${typeof fn}`);
  }
  const maxBatchSize = count('maxBatchSize', options.maxBatchSize, WRITER_DEFAULTS.maxBatchSize, 1);
  const maxWaitMs = count('maxWaitMs', options.maxWaitMs, WRITER_DEFAULTS.maxWaitMs, 0);
  const maxBuffered = count(
    'maxBufferedItems',
    options.maxBufferedItems,
    maxBatchSize * WRITER_DEFAULTS.bufferFactor,
    maxBatchSize,
  );
  const maxFlushes = count(
    'maxConcurrentFlushes',
    options.maxConcurrentFlushes,
    WRITER_DEFAULTS.maxConcurrentFlushes,
    1,
  );
  const metrics = options.metrics ?? getMetrics();
  const flushOnExit = options.flushOnExit ?? true;

  let buffer: Entry<T>[] = [];
  let inFlight = 0;
  let activeFlushes = 0;
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  const failedKept: FailedItem<T>[] = [];
  const roomWaiters: Array<() => void> = [];
  const idleWaiters: Array<() => void> = [];
  const stats = { added: 0, written: 0, failed: 0, flushes: 0 };
  let exitHook: (() => void) | undefined;

  const held = (): number => buffer.length + inFlight;

  const wakeRoom = (): void => {
    while (roomWaiters.length > 0 && held() < maxBuffered) roomWaiters.shift()?.();
  };
  const wakeIdle = (): void => {
    if (buffer.length === 0 && inFlight === 0) {
      if (exitHook) {
        process.off('beforeExit', exitHook);
        exitHook = undefined;
      }
      for (const wake of idleWaiters.splice(0)) wake();
    }
  };

  const recordFailures = (failures: FailedItem<T>[]): void => {
    if (failures.length === 0) return;
    stats.failed += failures.length;
    if (metrics) metrics.addMetric(MetricName.WriterFailed, MetricUnit.Count, failures.length);
    failedKept.push(...failures);
    options.onFailure?.(failures);
    getLogger().error(`batch writer: ${failures.length} items not written; kept for takeFailed()`, {
      error: describeError(failures[0]?.error),
    });
  };

  const writeChunk = async (chunk: Entry<T>[]): Promise<void> => {
    const items = chunk.map((entry) => entry.item);
    let failed: ReadonlyArray<FailedItem<T>>;
    try {
      const result = await fn(items);
      failed = (result as WriteResult<T>)?.failed ?? [];
    } catch (error) {
      failed = items.map((item) => ({ item, error }));
    }
    stats.flushes++;
    const failedSet = new Map<T, unknown>();
    for (const f of failed) failedSet.set(f.item, f.error);
    const unclaimed: FailedItem<T>[] = [];
    let written = 0;
    for (const entry of chunk) {
      if (!failedSet.has(entry.item)) {
        written++;
        entry.settle?.resolve();
        continue;
      }
      const error = failedSet.get(entry.item);
      if (entry.settle) {
        stats.failed++;
        entry.settle.reject(
          new BatchWriteError(
            `batch writer: item not written (${error instanceof Error ? error.message : String(error)})`,
            [entry.item],
            { cause: error },
          ),
        );
      } else unclaimed.push({ item: entry.item, error });
    }
    stats.written += written;
    if (metrics) metrics.addMetric(MetricName.WriterFlushed, MetricUnit.Count, written);
    recordFailures(unclaimed);
  };

  const pump = (): void => {
    while (activeFlushes < maxFlushes && buffer.length > 0) {
      const chunk = buffer.length <= maxBatchSize ? buffer : buffer.slice(0, maxBatchSize);
      buffer = chunk === buffer ? [] : buffer.slice(maxBatchSize);
      inFlight += chunk.length;
      activeFlushes++;
      writeChunk(chunk)
        .catch((error: unknown) =>
          getLogger().error('batch writer: internal error', { error: describeError(error) }),
        )
        .finally(() => {
          inFlight -= chunk.length;
          activeFlushes--;
          wakeRoom();
          if (buffer.length >= maxBatchSize || (forcing > 0 && buffer.length > 0)) pump();
          armTimer(); // a timer that fired while all flush slots were busy must not strand the rest
          wakeIdle();
        });
    }
  };

  let forcing = 0;
  const armTimer = (): void => {
    if (timer || maxWaitMs === 0 || buffer.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      pump();
    }, maxWaitMs);
    timer.unref();
  };

  const enqueue = async (entry: Entry<T>): Promise<void> => {
    if (closed) throw new BatchWriteError('batch writer is closed; item not accepted', [entry.item]);
    while (held() >= maxBuffered) {
      await new Promise<void>((resolve) => roomWaiters.push(resolve));
      if (closed) throw new BatchWriteError('batch writer is closed; item not accepted', [entry.item]);
    }
    buffer.push(entry);
    stats.added++;
    if (flushOnExit && !exitHook) {
      exitHook = () => {
        void flush();
      };
      process.on('beforeExit', exitHook);
    }
    if (buffer.length >= maxBatchSize) {
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      pump();
    }
    armTimer();
  };

  const flush = async (): Promise<FlushReport<T>> => {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    const before = stats.written;
    forcing++;
    try {
      pump();
      while (buffer.length > 0 || inFlight > 0) {
        await new Promise<void>((resolve) => idleWaiters.push(resolve));
        pump();
      }
    } finally {
      forcing--;
    }
    return { written: stats.written - before, failed: [...failedKept] };
  };

  const close = async (): Promise<FlushReport<T>> => {
    closed = true;
    const report = await flush();
    for (const wake of roomWaiters.splice(0)) wake();
    if (exitHook) {
      process.off('beforeExit', exitHook);
      exitHook = undefined;
    }
    return report;
  };

  return {
    add: (item) => enqueue({ item }),
    write: (item) =>
      new Promise<void>((resolve, reject) => {
        enqueue({ item, settle: { resolve, reject } }).catch(reject);
      }),
    flush,
    close,
    takeFailed: () => failedKept.splice(0),
    get stats(): BatchWriterStats {
      return {
        ...stats,
        buffered: buffer.length,
        inFlight,
        waiting: roomWaiters.length,
      };
    },
    [Symbol.asyncDispose]: async () => {
      await close();
    },
  };
}
