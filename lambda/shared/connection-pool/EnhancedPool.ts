import type { PoolClient, QueryResult, QueryResultRow } from 'pg';
import { sleep } from '../internal/backoff.js';
import {
  getLogger,
  getMetrics as getToolkitMetrics,
  MetricName,
  MetricUnit,
} from '../observability/index.js';
import { DEFAULT_END_TIMEOUT_MILLIS, READER_RETRY_AFTER_MILLIS, RECENT_FAILURE_MILLIS } from './constants.js';
import { createCredentialSource } from './credentials.js';
import { Endpoint } from './Endpoint.js';
import { PoolClosedError } from './errors.js';
import { PoolStats } from './PoolStats.js';
import { type OperationHost, type OperationKind, QueryOperation } from './QueryOperation.js';
import { type ResolvedOptions, resolveOptions } from './resolveOptions.js';
import type { PoolSizing } from './sizing.js';
import type {
  ConnectOptions,
  EnhancedPoolOptions,
  EnhancedQueryConfig,
  PoolHealth,
  PoolMetrics,
  QueryOptions,
  WarmUpResult,
} from './types.js';
import { describeValue } from './validateOptions.js';

const CLOSED_MESSAGE =
  'the pool was ended: create a new one with createEnhancedPool() (module scope, once per environment)';

/**
 * A PostgreSQL pool for AWS Lambda, built on `pg.Pool`: sized from the function's memory and the
 * database's connection budget, it validates clients that sat idle (a freeze/thaw may have killed
 * their sockets), replaces dead ones, retries connection failures with backoff, re-runs only
 * statements that are safe to re-run, and reports what it does. Create it once, at module scope.
 *
 * @example
 * ```ts
 * import { createEnhancedPool } from 'lambda-perf-kit/pool';
 * const pool = createEnhancedPool({ connectionString: process.env.DATABASE_URL });
 * export const handler = async () => {
 *   const { rows } = await pool.query('SELECT id, email FROM customers WHERE id = $1', [42], { readOnly: true });
 *   return rows[0];
 * };
 * ```
 */
export class EnhancedPool {
  /** How `max` was decided (explicit, memory rule, connection budget). */
  readonly sizing: PoolSizing;
  readonly #options: ResolvedOptions;
  readonly #stats = new PoolStats();
  readonly #writer: Endpoint;
  readonly #reader: Endpoint | undefined;
  /** Calls in flight, as a doubly linked list (cheaper per call than a Set), and their count. */
  #head: QueryOperation | undefined;
  #inFlight = 0;
  readonly #host: OperationHost;
  #closed = false;
  #ending: Promise<void> | undefined;
  #onSigterm: (() => void) | undefined;
  #published = { queries: 0, errors: 0, millis: 0, created: 0, reconnects: 0, retries: 0 };

  constructor(options: EnhancedPoolOptions = {}) {
    const resolved = resolveOptions(options);
    this.#options = resolved;
    this.sizing = resolved.sizing;
    const credentials = createCredentialSource(resolved.credentials);
    const common = {
      validateIdleAfterMillis: resolved.validateIdleAfterMillis,
      validationTimeoutMillis: resolved.validationTimeoutMillis,
      credentials,
      stats: this.#stats,
    };
    this.#writer = new Endpoint(resolved.writer.config, {
      ...common,
      role: 'writer',
      target: resolved.writer.target,
    });
    this.#reader = resolved.reader
      ? new Endpoint(resolved.reader.config, { ...common, role: 'reader', target: resolved.reader.target })
      : undefined;
    this.#host = {
      writer: this.#writer,
      stats: this.#stats,
      retry: resolved.retry,
      settled: (operation) => this.#unlink(operation),
    };
    if (resolved.shutdown) this.#installSigterm(resolved.shutdown.budgetMillis, resolved.shutdown.exit);
  }

  /** The writer pool's size limit. */
  get max(): number {
    return this.#writer.max;
  }

  /** true once `end()` was called. */
  get ended(): boolean {
    return this.#closed;
  }

  /**
   * Runs one statement on a pooled client and returns pg's `QueryResult`. Same arguments as
   * `pg.Pool.query` (promise form), plus per-query options as a third argument or as fields of the
   * config object. Connection failures are retried with backoff within the deadline; the statement
   * is re-run only when it never reached the server, or when it is `idempotent` / `readOnly`.
   * Server errors (syntax, constraint, `57014` statement timeout…) reach you as pg's `DatabaseError`.
   *
   * @example
   * ```ts
   * await pool.query('UPDATE orders SET status = $1 WHERE id = $2', ['shipped', 7]);           // never re-run
   * await pool.query('SELECT * FROM orders WHERE id = $1', [7], { readOnly: true });           // reader, retried
   * await pool.query({ text: 'INSERT … ON CONFLICT DO NOTHING', values: [7], idempotent: true });
   * ```
   */
  query<R extends QueryResultRow = QueryResultRow>(
    textOrConfig: string | EnhancedQueryConfig,
    values?: unknown[],
    options?: QueryOptions,
  ): Promise<QueryResult<R>> {
    if (this.#closed) return Promise.reject(new PoolClosedError(CLOSED_MESSAGE));
    let idempotent = false;
    let readOnly = false;
    let deadline = this.#options.retry.deadlineMillis;
    if (typeof textOrConfig !== 'string') {
      if (textOrConfig === null || typeof textOrConfig !== 'object') {
        return Promise.reject(
          new TypeError(
            `query needs SQL text or a config object { text, values }; received ${describeValue(textOrConfig)}`,
          ),
        );
      }
      if (typeof (textOrConfig as { submit?: unknown }).submit === 'function') {
        return Promise.reject(
          new TypeError(
            'query does not take cursors or streams: check out a client with connect() for those',
          ),
        );
      }
      if (textOrConfig.idempotent === true) idempotent = true;
      if (textOrConfig.readOnly === true) readOnly = true;
      if (textOrConfig.deadlineMillis !== undefined) deadline = textOrConfig.deadlineMillis;
    }
    if (typeof values === 'function') {
      return Promise.reject(new TypeError('query takes no callback: use the promise it returns'));
    }
    if (options !== undefined) {
      if (options.idempotent === true) idempotent = true;
      if (options.readOnly === true) readOnly = true;
      if (options.deadlineMillis !== undefined) deadline = options.deadlineMillis;
    }
    if (readOnly) idempotent = true;
    if (!Number.isInteger(deadline) || deadline < 0) {
      return Promise.reject(new RangeError(`deadlineMillis must be an integer ≥ 0; received ${deadline}`));
    }
    const what: OperationKind = { kind: 'query', text: textOrConfig, values, idempotent };
    return this.#run(this.#route(readOnly), what, deadline) as Promise<QueryResult<R>>;
  }

  /**
   * Checks out a client (pg's `PoolClient`) for a transaction, a cursor or several statements.
   * A client idle longer than `validateIdleAfterMillis` is checked first and replaced if dead.
   * Always `release()` it; `release(err)` destroys it. A client whose connection failed, or that
   * is released inside an open transaction, is destroyed rather than pooled.
   *
   * @example
   * ```ts
   * const client = await pool.connect();
   * try {
   *   await client.query('BEGIN');
   *   await client.query('UPDATE orders SET status = $1 WHERE id = $2', ['paid', 7]);
   *   await client.query('COMMIT');
   * } catch (error) {
   *   await client.query('ROLLBACK').catch(() => undefined);
   *   throw error;
   * } finally {
   *   client.release();
   * }
   * ```
   */
  connect(options?: ConnectOptions): Promise<PoolClient> {
    if (typeof options === 'function') {
      return Promise.reject(new TypeError('connect takes no callback: use the promise it returns'));
    }
    if (this.#closed) return Promise.reject(new PoolClosedError(CLOSED_MESSAGE));
    const deadline = options?.deadlineMillis ?? this.#options.retry.deadlineMillis;
    return this.#run(
      this.#route(options?.readOnly === true),
      { kind: 'checkout' },
      deadline,
    ) as Promise<PoolClient>;
  }

  /**
   * Opens `min` connections per endpoint in parallel (idle ones are reused, and validated if they
   * sat idle). Call it at init — or at the start of an invocation after a long idle — so the first
   * query does not pay for a TCP + TLS + startup round trip.
   *
   * @example
   * ```ts
   * const pool = createEnhancedPool({ connectionString: process.env.DATABASE_URL, min: 2 });
   * await pool.warmUp(); // { total: 2, opened: 2, millis: 7 }
   * ```
   */
  async warmUp(): Promise<WarmUpResult> {
    const started = performance.now();
    const before = this.#stats.connectionsCreated;
    const checkouts: Array<Promise<PoolClient>> = [];
    for (const endpoint of this.#endpoints()) {
      const count = Math.min(this.#options.min, endpoint.max);
      for (let i = 0; i < count; i++) {
        checkouts.push(
          this.#run(
            endpoint,
            { kind: 'checkout' },
            this.#options.retry.deadlineMillis,
          ) as Promise<PoolClient>,
        );
      }
    }
    const results = await Promise.allSettled(checkouts);
    let failure: unknown;
    for (const result of results) {
      if (result.status === 'fulfilled') result.value.release();
      else failure ??= result.reason;
    }
    if (failure !== undefined) throw failure;
    return {
      total: this.getMetrics().total,
      opened: this.#stats.connectionsCreated - before,
      millis: Math.round(performance.now() - started),
    };
  }

  /**
   * Counters and gauges (times in ms).
   *
   * @example
   * ```ts
   * const { active, idle, waiting, p95 } = pool.getMetrics();
   * ```
   */
  getMetrics(): PoolMetrics {
    let total = 0;
    let idle = 0;
    let waiting = 0;
    for (const endpoint of this.#endpoints()) {
      total += endpoint.pool.totalCount;
      idle += endpoint.pool.idleCount;
      waiting += endpoint.pool.waitingCount;
    }
    const stats = this.#stats;
    return {
      total,
      active: total - idle,
      idle,
      waiting,
      max: this.#writer.max,
      totalQueries: stats.queries,
      avgQueryTime: stats.averageMillis(),
      p95: stats.p95Millis(),
      peak: stats.peak,
      errors: stats.errors,
      connectionsCreated: stats.connectionsCreated,
      reconnects: stats.reconnects,
      retries: stats.retries,
      validations: stats.validations,
      readerFallbacks: stats.readerFallbacks,
      credentialRefreshes: stats.credentialRefreshes,
    };
  }

  /**
   * `healthy`, or `degraded` with one reason per problem: connections failing to open, callers
   * waiting for a connection, a high recent error rate, the reader unavailable. No round trip.
   *
   * @example
   * ```ts
   * const health = pool.getHealthStatus();
   * if (health.status !== 'healthy') logger.warn('database pool degraded', { reasons: health.reasons });
   * ```
   */
  getHealthStatus(): PoolHealth {
    const metrics = this.getMetrics();
    if (this.#closed) return { status: 'ended', reasons: ['end() was called'], metrics };
    const reasons: string[] = [];
    const now = Date.now();
    for (const endpoint of this.#endpoints()) {
      const failure = endpoint.lastConnectFailure;
      if (failure && now - failure.at < RECENT_FAILURE_MILLIS) {
        const seconds = Math.round((now - failure.at) / 1000);
        reasons.push(
          endpoint.role === 'reader'
            ? `the reader ${endpoint.target.description} failed to connect ${seconds} s ago (${failure.code ?? failure.message}); readOnly queries go to the writer`
            : `connections to ${endpoint.target.description} are failing (${failure.code ?? failure.message}, ${seconds} s ago)`,
        );
      }
    }
    if (metrics.waiting > 0) {
      reasons.push(`${metrics.waiting} caller(s) waiting for a connection: all ${metrics.max} are in use`);
    }
    const recent = this.#stats.recentFailures();
    if (recent.failed >= 3 && recent.failed / recent.of >= 0.1) {
      reasons.push(`${recent.failed} of the last ${recent.of} queries failed`);
    }
    return { status: reasons.length > 0 ? 'degraded' : 'healthy', reasons, metrics };
  }

  /**
   * Adds the pool's metrics to the toolkit's Powertools `Metrics` (CloudWatch EMF): gauges as they
   * are now, counters as the change since the last call, query time as the mean since then and the
   * p95 of the last 1024 queries. Powertools' `logMetrics` middleware (or `flush: true`) publishes them.
   *
   * @example
   * ```ts
   * export const handler = async (event) => {
   *   try { return await work(event); } finally { pool.publishMetrics({ flush: true }); }
   * };
   * ```
   */
  publishMetrics(options: { flush?: boolean } = {}): void {
    const metrics = getToolkitMetrics();
    const now = this.getMetrics();
    const stats = this.#stats;
    const last = this.#published;
    metrics.addMetric(MetricName.PoolTotal, MetricUnit.Count, now.total);
    metrics.addMetric(MetricName.PoolActive, MetricUnit.Count, now.active);
    metrics.addMetric(MetricName.PoolIdle, MetricUnit.Count, now.idle);
    metrics.addMetric(MetricName.PoolWaiting, MetricUnit.Count, now.waiting);
    metrics.addMetric(MetricName.PoolPeak, MetricUnit.Count, now.peak);
    metrics.addMetric(MetricName.PoolQueries, MetricUnit.Count, stats.queries - last.queries);
    metrics.addMetric(MetricName.PoolErrors, MetricUnit.Count, stats.errors - last.errors);
    metrics.addMetric(
      MetricName.PoolConnectionsCreated,
      MetricUnit.Count,
      stats.connectionsCreated - last.created,
    );
    metrics.addMetric(MetricName.PoolReconnects, MetricUnit.Count, stats.reconnects - last.reconnects);
    metrics.addMetric(MetricName.PoolRetries, MetricUnit.Count, stats.retries - last.retries);
    const queries = stats.queries - last.queries;
    if (queries > 0) {
      metrics.addMetric(
        MetricName.PoolQueryTime,
        MetricUnit.Milliseconds,
        (stats.totalQueryMillis - last.millis) / queries,
      );
      metrics.addMetric(MetricName.PoolQueryTimeP95, MetricUnit.Milliseconds, now.p95);
    }
    this.#published = {
      queries: stats.queries,
      errors: stats.errors,
      millis: stats.totalQueryMillis,
      created: stats.connectionsCreated,
      reconnects: stats.reconnects,
      retries: stats.retries,
    };
    if (options.flush) metrics.publishStoredMetrics();
  }

  /**
   * Stops taking new work, waits up to `timeoutMillis` for calls in flight and checked-out
   * clients, then destroys what is left and closes every socket. Idempotent: a second call
   * returns the same promise.
   *
   * @example
   * ```ts
   * await pool.end();
   * await pool.end(); // same promise, no error
   * ```
   */
  end(options: { timeoutMillis?: number } = {}): Promise<void> {
    this.#ending ??= this.#shutdown(options.timeoutMillis ?? DEFAULT_END_TIMEOUT_MILLIS);
    return this.#ending;
  }

  /** `await using pool = createEnhancedPool(…)` ends the pool at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.end();
  }

  #endpoints(): Endpoint[] {
    return this.#reader ? [this.#writer, this.#reader] : [this.#writer];
  }

  #route(readOnly: boolean): Endpoint {
    const reader = this.#reader;
    if (!readOnly || !reader) return this.#writer;
    const failure = reader.lastConnectFailure;
    if (failure && Date.now() - failure.at < READER_RETRY_AFTER_MILLIS) {
      this.#stats.readerFallbacks++;
      return this.#writer;
    }
    return reader;
  }

  #run(endpoint: Endpoint, what: OperationKind, deadlineMillis: number): Promise<QueryResult | PoolClient> {
    return new Promise((resolve, reject) => {
      const operation = new QueryOperation(this.#host, endpoint, what, deadlineMillis, resolve, reject);
      const head = this.#head;
      if (head) {
        operation.next = head;
        head.previous = operation;
      }
      this.#head = operation;
      this.#inFlight++;
      operation.start();
    });
  }

  #unlink(operation: QueryOperation): void {
    const { previous, next } = operation;
    if (previous) previous.next = next;
    else this.#head = next;
    if (next) next.previous = previous;
    operation.previous = undefined;
    operation.next = undefined;
    this.#inFlight--;
  }

  #busy(): boolean {
    if (this.#inFlight > 0) return true;
    for (const endpoint of this.#endpoints()) if (endpoint.userHeld > 0) return true;
    return false;
  }

  async #shutdown(timeoutMillis: number): Promise<void> {
    this.#closed = true;
    if (this.#onSigterm) {
      process.removeListener('SIGTERM', this.#onSigterm);
      this.#onSigterm = undefined;
    }
    const deadline = performance.now() + timeoutMillis;
    while (this.#busy() && performance.now() < deadline) await sleep(5);
    if (this.#busy()) {
      getLogger().warn('pool: ending with work still in flight; destroying its connections', {
        calls: this.#inFlight,
        checkedOut: this.#writer.userHeld + (this.#reader?.userHeld ?? 0),
        timeoutMillis,
      });
      const closed = new PoolClosedError('the pool was ended while this call was in flight');
      while (this.#head) this.#head.abort(closed);
      for (const endpoint of this.#endpoints()) endpoint.forceReleaseUserHeld();
    }
    await Promise.all([this.#writer.pool.end(), this.#reader?.pool.end()]);
  }

  #installSigterm(budgetMillis: number, exit: boolean): void {
    this.#onSigterm = () => {
      const started = performance.now();
      getLogger().info('pool: SIGTERM received, draining', {
        budgetMillis,
        active: this.getMetrics().active,
      });
      // Leave a quarter of the budget (at most 100 ms) for closing the sockets themselves.
      const drainMillis = Math.max(0, budgetMillis - Math.min(100, Math.floor(budgetMillis / 4)));
      this.end({ timeoutMillis: drainMillis }).then(
        () => {
          getLogger().info('pool: drained and ended', { millis: Math.round(performance.now() - started) });
          if (exit && process.listenerCount('SIGTERM') === 0) process.exit(0);
        },
        (error: unknown) => {
          getLogger().error('pool: shutdown failed', { error: (error as Error)?.message });
          if (exit && process.listenerCount('SIGTERM') === 0) process.exit(1);
        },
      );
    };
    process.on('SIGTERM', this.#onSigterm);
  }
}

/**
 * Creates the pool. Call it once per environment, at module scope, so connections survive
 * between invocations. Bad options throw `TypeError` / `RangeError` right here.
 *
 * @example
 * ```ts
 * import { createEnhancedPool } from 'lambda-perf-kit/pool';
 * export const pool = createEnhancedPool({
 *   host: process.env.DB_HOST,
 *   database: 'shop',
 *   user: 'app',
 *   credentials: { source: 'secrets-manager', secretId: process.env.DB_SECRET_ARN! },
 *   reader: { host: process.env.DB_READER_HOST! },
 *   connectionBudget: { maxConnections: 400, expectedConcurrency: 100 },
 * });
 * ```
 */
export function createEnhancedPool(options: EnhancedPoolOptions = {}): EnhancedPool {
  return new EnhancedPool(options);
}
