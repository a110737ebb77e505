/**
 * `createQueryOptimizer(pool, options)`: cached reads (L1 memory + optional L2 Redis), invalidation
 * on writes, EXPLAIN findings, a slow-query log, an index advisor and bounded batches.
 */
import { createHash } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { LRUCache } from 'lru-cache';
import pLimit from 'p-limit';
import type { QueryResult, QueryResultRow } from 'pg';
import { getLogger, getMetrics, MetricName } from '../observability/index.js';
import { OPTIMIZER_DEFAULTS } from './constants.js';
import { BatchTransactionError } from './errors.js';
import { explainGeneric } from './GenericPlan.js';
import { adviseIndexes } from './IndexAdvisor.js';
import { analyzePlan, type ResolvedThresholds, resolveThresholds } from './PlanAnalyzer.js';
import { RedisCache } from './RedisCache.js';
import { type CachedResult, encodeEnvelope, toCachedResult } from './ResultCodec.js';
import { SlowQueryLog } from './SlowQueryLog.js';
import { loadSqlParser, SqlAnalyzer, type SqlInfo } from './SqlAnalyzer.js';
import { quoteIdent } from './sqlText.js';
import type {
  BatchOptions,
  BatchStatement,
  CacheNamespace,
  CacheStats,
  ExecuteOptions,
  ExplainReport,
  ExplainRequest,
  IndexAdvice,
  OptimizedResult,
  PlanFinding,
  Queryable,
  QueryOptimizerOptions,
  ResultSource,
  SlowQueryEntry,
  SlowQueryOptions,
  SuggestIndexesOptions,
} from './types.js';

/** The optimizer `createQueryOptimizer` returns. */
export interface QueryOptimizer {
  /** Runs one statement: reads may come from cache; writes invalidate the tables they touch after they commit. */
  execute<R extends QueryResultRow = QueryResultRow>(
    sql: string,
    params?: readonly unknown[],
    options?: ExecuteOptions,
  ): Promise<OptimizedResult<R>>;
  /** Runs statements with bounded concurrency, or in order in one transaction. */
  batchExecute(statements: readonly BatchStatement[], options?: BatchOptions): Promise<OptimizedResult[]>;
  /** The slow-query log (fingerprinted, no parameter values). */
  getSlowQueries(options?: SlowQueryOptions): Promise<SlowQueryEntry[]>;
  /** Index suggestions for the observed slow queries, verified with HypoPG. */
  suggestIndexes(options?: SuggestIndexesOptions): Promise<IndexAdvice>;
  /** Cache counters. */
  getCacheStats(): CacheStats;
  /** Drops every cached entry here and bumps every generation (L2 entries of all environments go stale). */
  invalidateAll(): Promise<void>;
  /**
   * Drops cached reads of these tables in this environment (L1) and, through L2 generations, in Redis for
   * every environment (their own L1 entries expire with their TTL), e.g.
   * after a write that did not go through the optimizer. Names as in SQL: `orders`, `public.orders`,
   * `"Sales"."Order Lines"` (the schema is ignored: tags are relation names).
   */
  invalidateTables(tables: readonly string[]): Promise<void>;
  /** Adds the counters since the last call to the shared Powertools Metrics (publish them yourself). */
  publishMetrics(): void;
  /**
   * Loads the SQL parser and waits (at most `timeoutMillis`) for Redis to be ready. Optional: without
   * it the first statements pay the parser load (~tens of ms) and miss L2 until Redis is connected.
   * Returns whether L2 is ready (false when not configured).
   */
  warmUp(timeoutMillis?: number): Promise<boolean>;
  /** Waits for background work and closes the Redis client the optimizer opened (not the pool). */
  close(): Promise<void>;
}

interface L1Entry {
  result: CachedResult;
  gens: number[];
  freshUntil: number;
  size: number;
  /** Last time (ms) the hit path refreshed this entry's LRU recency. */
  bumped: number;
}

interface Inflight {
  promise: Promise<{ result: CachedResult; source: ResultSource }>;
  tags: readonly string[];
}

const ALL = '*';
const EMPTY: readonly unknown[] = Object.freeze([]);
const NO_OPTIONS: ExecuteOptions = Object.freeze({});
const now = (): number => performance.now();

function checkNonNegative(field: string, value: number | undefined, integer = false): void {
  if (value === undefined) return;
  if (!Number.isFinite(value) || value < 0 || (integer && !Number.isInteger(value))) {
    throw new RangeError(
      `${field} must be a finite ${integer ? 'integer' : 'number'} >= 0 (received ${String(value)})`,
    );
  }
}

function defaultL1Bytes(): number {
  const fromEnv = Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const memoryMB = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : OPTIMIZER_DEFAULTS.defaultMemoryMB;
  return Math.floor(memoryMB * 1024 * 1024 * OPTIMIZER_DEFAULTS.l1MemoryFraction);
}

function namespaceKey(ns: CacheNamespace | undefined): string {
  if (ns === undefined) return '';
  if (typeof ns === 'string') return JSON.stringify(ns);
  // JSON, not `k=v&…`: {tenant:'a', user:'b'} and {tenant:'a&user=b'} must never share a key.
  return JSON.stringify(
    Object.keys(ns)
      .sort()
      .map((k) => [k, String(ns[k])]),
  );
}

/**
 * The tag of a table name as callers write it: `orders`, `public.orders`, `"Sales"."Order Lines"`
 * → the relation name (`orders`, `Order Lines`), as the parser reports it (unquoted names folded).
 */
function tableTag(name: string): string {
  if (name === ALL) return ALL;
  const last = name.match(/(?:"((?:[^"]|"")*)"|([^."]+))\s*$/);
  if (!last) return name;
  return last[1] !== undefined ? last[1].replaceAll('""', '"') : (last[2] ?? name).trim().toLowerCase();
}

/** The L1 key: per-process SQL id + namespace + parameters (short, so hashing it per hit is cheap). */
function l1Key(info: SqlInfo, ns: CacheNamespace | undefined, params: readonly unknown[]): string {
  return `${info.id}\u0001${namespaceKey(ns)}\u0001${paramsKey(params)}`;
}

/** The L2 key: stable across processes (normalized SQL instead of the per-process id), hashed. */
function l2Key(info: SqlInfo, ns: CacheNamespace | undefined, params: readonly unknown[]): string {
  return createHash('sha256')
    .update(`${info.normalized}\u0001${namespaceKey(ns)}\u0001${paramsKey(params)}`)
    .digest('base64url');
}

function bigintSafe(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}

/**
 * Parameters as a key: primitives tagged by type (strings length-prefixed, so it is unambiguous),
 * anything else as JSON (self-delimiting). Cheaper than JSON of the whole array on the hit path.
 */
function paramsKey(params: readonly unknown[]): string {
  let out = '';
  for (const p of params) {
    switch (typeof p) {
      case 'number':
        out += `n${p}|`;
        break;
      case 'string':
        out += `s${p.length}:${p}|`;
        break;
      case 'boolean':
        out += p ? 't|' : 'f|';
        break;
      case 'bigint':
        out += `b${p}|`;
        break;
      default:
        out += p === null ? 'z|' : p === undefined ? 'u|' : `j${JSON.stringify(p, bigintSafe)}|`;
    }
  }
  return out;
}

/**
 * Wraps a pg-compatible pool with a query cache, EXPLAIN analysis, a slow-query log and an index advisor.
 *
 * @example
 * ```ts
 * import pg from 'pg';
 * import { createQueryOptimizer } from 'lambda-perf-kit/optimizer';
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
 * const optimizer = createQueryOptimizer(pool, { redis: { url: process.env.REDIS_URL } });
 * const { rows, source } = await optimizer.execute('SELECT * FROM customers WHERE id = $1', [42], {
 *   cache: true,
 *   cacheTTL: 30_000,
 *   namespace: { tenant: 'acme' },
 * });
 * ```
 */
export function createQueryOptimizer(pool: Queryable, options: QueryOptimizerOptions = {}): QueryOptimizer {
  if (!pool || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
    throw new TypeError(
      `pool must have query(text, values) and connect() (received ${pool === null ? 'null' : typeof pool})`,
    );
  }
  return new QueryOptimizerImpl(pool, options);
}

class QueryOptimizerImpl implements QueryOptimizer {
  readonly #pool: Queryable;
  readonly #analyzer = new SqlAnalyzer();
  readonly #l1: LRUCache<string, L1Entry>;
  readonly #l1MaxBytes: number;
  /** The same entries as #l1 (kept in step by its dispose hook): the hit path reads this plain Map. */
  readonly #hot = new Map<string, L1Entry>();
  readonly #l2: RedisCache | undefined;
  readonly #gens = new Map<string, { v: number }>();
  readonly #inflight = new Map<string, Inflight>();
  readonly #background = new Set<Promise<unknown>>();
  readonly #slowLog: SlowQueryLog;
  readonly #thresholds: ResolvedThresholds;
  readonly #ttl: number;
  readonly #swr: number;
  readonly #cacheByDefault: boolean;
  readonly #slowMillis: number;
  readonly #explainSlow: boolean;
  readonly #allowAnalyzeWrites: boolean;
  readonly #batchConcurrency: number;
  readonly #preparedThreshold: number;
  readonly #useCounts: LRUCache<string, number> | undefined;
  readonly #prepared: LRUCache<string, string> | undefined;
  #preparedSeq = 0;
  readonly #c = {
    l1Hits: 0,
    l1Misses: 0,
    evictions: 0,
    staleServed: 0,
    coalesced: 0,
    invalidations: 0,
    dbQueries: 0,
    dbMillis: 0,
    slow: 0,
    advisorRuns: 0,
  };
  #published = { hits: 0, misses: 0, dbQueries: 0, dbMillis: 0, slow: 0, l2Errors: 0 };

  constructor(pool: Queryable, o: QueryOptimizerOptions) {
    checkNonNegative('cacheTtlMillis', o.cacheTtlMillis);
    checkNonNegative('l1MaxBytes', o.l1MaxBytes, true);
    checkNonNegative('staleWhileRevalidateMillis', o.staleWhileRevalidateMillis);
    checkNonNegative('slowQueryMillis', o.slowQueryMillis);
    checkNonNegative('slowLogEntries', o.slowLogEntries, true);
    checkNonNegative('preparedStatementThreshold', o.preparedStatementThreshold, true);
    checkNonNegative('maxPreparedStatements', o.maxPreparedStatements, true);
    if (
      o.batchConcurrency !== undefined &&
      (!Number.isInteger(o.batchConcurrency) || o.batchConcurrency < 1)
    ) {
      throw new RangeError(
        `batchConcurrency must be an integer >= 1 (received ${String(o.batchConcurrency)})`,
      );
    }
    this.#pool = pool;
    this.#ttl = o.cacheTtlMillis ?? OPTIMIZER_DEFAULTS.cacheTtlMillis;
    this.#swr = o.staleWhileRevalidateMillis ?? 0;
    this.#cacheByDefault = o.cacheByDefault ?? false;
    this.#slowMillis = o.slowQueryMillis ?? OPTIMIZER_DEFAULTS.slowQueryMillis;
    this.#explainSlow = o.explainSlowQueries ?? true;
    this.#allowAnalyzeWrites = o.allowAnalyzeWrites ?? false;
    this.#batchConcurrency = o.batchConcurrency ?? OPTIMIZER_DEFAULTS.batchConcurrency;
    this.#thresholds = resolveThresholds(o.thresholds);
    this.#slowLog = new SlowQueryLog(Math.max(1, o.slowLogEntries ?? OPTIMIZER_DEFAULTS.slowLogEntries));
    this.#l1MaxBytes = Math.max(1, o.l1MaxBytes ?? defaultL1Bytes());
    this.#l1 = new LRUCache<string, L1Entry>({
      maxSize: this.#l1MaxBytes,
      sizeCalculation: (entry) => Math.max(1, entry.size),
      ttlAutopurge: false,
      dispose: (value, key, reason) => {
        if (reason === 'evict') this.#c.evictions++;
        if (this.#hot.get(key) === value) this.#hot.delete(key);
      },
    });
    this.#preparedThreshold = o.preparedStatementThreshold ?? 0;
    if (this.#preparedThreshold > 0) {
      const max = Math.max(1, o.maxPreparedStatements ?? 100);
      this.#useCounts = new LRUCache<string, number>({ max: max * 4 });
      this.#prepared = new LRUCache<string, string>({
        max,
        dispose: (name) => this.#dropPrepared(name),
      });
    }
    this.#l2 = o.redis ? new RedisCache(o.redis) : undefined;
    this.#l2?.warm();
  }

  // ---------------------------------------------------------------- execute

  execute<R extends QueryResultRow = QueryResultRow>(
    sql: string,
    params: readonly unknown[] = EMPTY,
    options: ExecuteOptions = NO_OPTIONS,
  ): Promise<OptimizedResult<R>> {
    if (typeof sql !== 'string' || sql.length === 0) {
      return Promise.reject(new TypeError(`sql must be a non-empty string (received ${typeof sql})`));
    }
    if (!Array.isArray(params)) {
      return Promise.reject(new TypeError(`params must be an array (received ${typeof params})`));
    }
    // The L1 hit path: synchronous, no parse, no await.
    const info = this.#analyzer.peek(sql);
    if (info?.readOnly && !options.explain && (options.cache ?? this.#cacheByDefault)) {
      const start = now();
      const key = l1Key(info, options.namespace, params);
      const entry = this.#hot.get(key);
      if (entry !== undefined) {
        const t = Date.now();
        if (t <= entry.freshUntil && this.#gensMatch(entry.gens, info)) {
          // LRU recency at one-second grain: cheaper than touching the LRU on every hit.
          if (t - entry.bumped > 1_000) {
            entry.bumped = t;
            this.#l1.get(key);
          }
          this.#c.l1Hits++;
          return Promise.resolve(this.#wrap<R>(entry.result, 'l1', start));
        }
      }
    }
    return this.#execute<R>(sql, params, options, info);
  }

  async #execute<R extends QueryResultRow>(
    sql: string,
    params: readonly unknown[],
    options: ExecuteOptions,
    known: SqlInfo | undefined,
  ): Promise<OptimizedResult<R>> {
    checkNonNegative('cacheTTL', options.cacheTTL);
    const start = now();
    const info = known ?? (await this.#analyze(sql));
    let out: OptimizedResult<R>;
    if ((options.cache ?? this.#cacheByDefault) && info?.readOnly) {
      out = await this.#cachedRead<R>(sql, params, info, options, start);
    } else {
      let result: QueryResult;
      try {
        result = await this.#runQuery(sql, params, info);
      } finally {
        // Also when the call failed: a write can commit and the connection drop before the reply
        // (or query_timeout fire), so the caller sees an error for a row that changed. Invalidating
        // too much is safe; serving the old row until the TTL is not.
        if (info && !info.readOnly) await this.#invalidateFor(info);
      }
      out = Object.assign(result as QueryResult<R>, {
        source: 'database' as const,
        durationMillis: now() - start,
      });
    }
    if (options.explain) {
      const request: ExplainRequest = options.explain === true ? {} : options.explain;
      out.explain = await this.#explain(sql, params, info, request);
    }
    return out;
  }

  async #analyze(sql: string): Promise<SqlInfo | undefined> {
    try {
      return await this.#analyzer.analyze(sql);
    } catch (error) {
      getLogger().warn('query optimizer: SQL parser unavailable; statement not cached', { error });
      return undefined;
    }
  }

  #counter(table: string): { v: number } {
    let counter = this.#gens.get(table);
    if (!counter) {
      counter = { v: 0 };
      this.#gens.set(table, counter);
    }
    return counter;
  }

  #counters(info: SqlInfo): Array<{ v: number }> {
    info.counters ??= info.tags.map((t) => this.#counter(t));
    return info.counters;
  }

  #snapshot(info: SqlInfo): number[] {
    return this.#counters(info).map((c) => c.v);
  }

  #gensMatch(gens: readonly number[], info: SqlInfo): boolean {
    const counters = info.counters ?? this.#counters(info);
    for (let i = 0; i < counters.length; i++) {
      if ((counters[i] as { v: number }).v !== gens[i]) return false;
    }
    return true;
  }

  #wrap<R extends QueryResultRow>(
    result: CachedResult,
    source: ResultSource,
    start: number,
  ): OptimizedResult<R> {
    return {
      command: result.command,
      rowCount: result.rowCount,
      rows: result.rows as R[],
      fields: result.fields as OptimizedResult<R>['fields'],
      oid: 0,
      source,
      durationMillis: now() - start,
    };
  }

  async #cachedRead<R extends QueryResultRow>(
    sql: string,
    params: readonly unknown[],
    info: SqlInfo,
    options: ExecuteOptions,
    start: number,
  ): Promise<OptimizedResult<R>> {
    const key = l1Key(info, options.namespace, params);
    const entry = this.#l1.get(key);
    if (entry) {
      if (this.#gensMatch(entry.gens, info)) {
        const t = Date.now();
        if (t <= entry.freshUntil) {
          this.#c.l1Hits++;
          return this.#wrap<R>(entry.result, 'l1', start);
        }
        if (this.#swr > 0 && t <= entry.freshUntil + this.#swr) {
          this.#c.l1Hits++;
          this.#c.staleServed++;
          if (!this.#inflight.has(key)) {
            this.#track(
              this.#load(key, sql, params, info, options.namespace, options.cacheTTL ?? this.#ttl).catch(
                () => undefined,
              ),
            );
          }
          return this.#wrap<R>(entry.result, 'l1-stale', start);
        }
      } else {
        this.#l1.delete(key);
      }
    }
    this.#c.l1Misses++;
    const pending = this.#inflight.get(key);
    if (pending) {
      this.#c.coalesced++;
      const shared = await pending.promise;
      return this.#wrap<R>(shared.result, shared.source, start);
    }
    const loaded = await this.#load(key, sql, params, info, options.namespace, options.cacheTTL ?? this.#ttl);
    return this.#wrap<R>(loaded.result, loaded.source, start);
  }

  /** Single-flight load through L2 then the database. */
  #load(
    key: string,
    sql: string,
    params: readonly unknown[],
    info: SqlInfo,
    ns: CacheNamespace | undefined,
    ttl: number,
  ): Promise<{ result: CachedResult; source: ResultSource }> {
    const existing = this.#inflight.get(key);
    if (existing) return existing.promise;
    const tags = info.tags;
    const flight: Inflight = { tags, promise: Promise.resolve() as never };
    flight.promise = (async () => {
      const localGens = this.#snapshot(info);
      let remoteGens: number[] | undefined;
      const remoteKey = this.#l2 ? l2Key(info, ns, params) : '';
      if (this.#l2) {
        const found = await this.#l2.lookup(remoteKey, tags);
        remoteGens = found.generations;
        if (found.envelope) {
          if (this.#gensMatch(localGens, info)) {
            const size = this.#sizeOf(found.envelope.r, key);
            this.#store(
              key,
              { result: found.envelope.r, gens: localGens, freshUntil: Date.now() + ttl, size, bumped: 0 },
              ttl,
            );
          }
          return { result: found.envelope.r, source: 'l2' as const };
        }
      }
      const result = toCachedResult(await this.#runQuery(sql, params, info));
      const encoded = encodeEnvelope({ v: 1, g: remoteGens ?? [], r: result });
      // Stored only if no write to these tables committed since the read started.
      if (this.#gensMatch(localGens, info) && this.#inflight.get(key) === flight) {
        const size = encoded.length * 2 + key.length * 2;
        this.#store(key, { result, gens: localGens, freshUntil: Date.now() + ttl, size, bumped: 0 }, ttl);
      }
      if (this.#l2 && remoteGens) {
        this.#track(this.#l2.store(remoteKey, { v: 1, g: remoteGens, r: result }, ttl + this.#swr, encoded));
      }
      return { result, source: 'database' as const };
    })().finally(() => {
      if (this.#inflight.get(key) === flight) this.#inflight.delete(key);
    });
    this.#inflight.set(key, flight);
    return flight.promise;
  }

  #store(key: string, entry: L1Entry, ttl: number): void {
    this.#l1.set(key, entry, { ttl: ttl + this.#swr, size: entry.size });
    // lru-cache refuses an entry bigger than its budget: only index what it kept.
    if (this.#l1.peek(key) === entry) this.#hot.set(key, entry);
  }

  #sizeOf(result: CachedResult, key: string): number {
    return encodeEnvelope({ v: 1, g: [], r: result }).length * 2 + key.length * 2;
  }

  #track(promise: Promise<unknown>): void {
    const p = promise.catch(() => undefined).finally(() => this.#background.delete(p));
    this.#background.add(p);
  }

  async #runQuery(sql: string, params: readonly unknown[], info: SqlInfo | undefined): Promise<QueryResult> {
    const name = this.#preparedName(sql, info);
    const start = now();
    const values = params as unknown[];
    const result = name
      ? await this.#pool.query({ name, text: sql, values })
      : await this.#pool.query(sql, values);
    const millis = now() - start;
    this.#c.dbQueries++;
    this.#c.dbMillis += millis;
    if (millis >= this.#slowMillis) {
      this.#c.slow++;
      this.#track(this.#recordSlow(sql, info, millis));
    }
    return result;
  }

  async #recordSlow(sql: string, info: SqlInfo | undefined, millis: number): Promise<void> {
    const shape = await this.#analyzer.shape(sql);
    this.#slowLog.record(shape.fingerprint, shape.normalized, millis);
    if (this.#explainSlow && info && !info.parseFailed && !info.unknownEffects && info.statements === 1) {
      this.#slowLog.setFindings(shape.fingerprint, await this.#genericFindings(shape.normalized));
    }
  }

  // ---------------------------------------------------------------- prepared statements

  #preparedName(sql: string, info: SqlInfo | undefined): string | undefined {
    if (!this.#prepared || !this.#useCounts || !info || info.parseFailed || info.statements !== 1)
      return undefined;
    const existing = this.#prepared.get(sql);
    if (existing) return existing;
    const count = (this.#useCounts.get(sql) ?? 0) + 1;
    this.#useCounts.set(sql, count);
    if (count < this.#preparedThreshold) return undefined;
    const name = `lpk_opt_${process.pid}_${++this.#preparedSeq}`;
    this.#prepared.set(sql, name);
    return name;
  }

  #dropPrepared(name: string): void {
    // pg prepares a named statement on each connection that runs it; the name is never reused, and
    // DEALLOCATE reaches the connection that takes it (the others drop theirs when they close).
    this.#track(this.#pool.query(`DEALLOCATE ${quoteIdent(name)}`).catch(() => undefined));
  }

  // ---------------------------------------------------------------- invalidation

  async #invalidateFor(info: SqlInfo): Promise<void> {
    if (info.unknownEffects) await this.invalidateAll();
    else if (info.tables.length > 0) await this.#bump(info.tables);
  }

  async invalidateTables(names: readonly string[]): Promise<void> {
    if (!Array.isArray(names)) throw new TypeError(`tables must be an array (received ${typeof names})`);
    await this.#bump(names.map(tableTag));
  }

  /** Bumps the generations of table tags (relation names exactly as the parser reports them). */
  async #bump(tables: readonly string[]): Promise<void> {
    for (const t of tables) this.#counter(t).v++;
    this.#c.invalidations++;
    for (const [key, flight] of this.#inflight) {
      if (tables.includes(ALL) || flight.tags.some((t) => tables.includes(t))) this.#inflight.delete(key);
    }
    await this.#l2?.invalidate(tables);
  }

  async invalidateAll(): Promise<void> {
    this.#l1.clear();
    this.#hot.clear();
    await this.#bump([ALL]);
  }

  // ---------------------------------------------------------------- explain

  async #explain(
    sql: string,
    params: readonly unknown[],
    info: SqlInfo | undefined,
    request: ExplainRequest,
  ): Promise<ExplainReport> {
    if (!info || info.parseFailed || info.statements !== 1) {
      // EXPLAIN of several statements would run the ones after the first for real (simple protocol).
      return {
        analyzed: false,
        plan: null,
        findings: [],
        note: `EXPLAIN skipped: it needs exactly one statement the parser can read (received ${
          info ? (info.parseFailed ? 'one it cannot parse' : `${info.statements}`) : 'none it could analyse'
        })`,
      };
    }
    const wantAnalyze = request.analyze ?? true;
    const allowWrites = request.allowWrites ?? this.#allowAnalyzeWrites;
    const values = params as unknown[];
    let plan: unknown;
    let analyzed = false;
    let note: string | undefined;
    if (wantAnalyze && (info.readOnly || allowWrites)) {
      const client = await this.#pool.connect();
      try {
        // A read runs in a READ ONLY transaction, so a volatile function that writes fails instead of writing.
        await client.query(info.readOnly ? 'BEGIN READ ONLY' : 'BEGIN');
        const { rows } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, values);
        plan = rows[0]?.['QUERY PLAN'];
        analyzed = true;
      } catch (error) {
        note = `EXPLAIN ANALYZE failed (${error instanceof Error ? error.message : String(error)}); plan without ANALYZE shown`;
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
        client.release();
      }
    } else if (wantAnalyze) {
      note =
        'ANALYZE skipped: the statement writes (pass explain: { allowWrites: true } to run it in a rolled-back transaction)';
    }
    if (!analyzed) {
      const { rows } = await this.#pool.query(`EXPLAIN (FORMAT JSON) ${sql}`, values);
      plan = rows[0]?.['QUERY PLAN'];
    }
    const tableRows = analyzed ? undefined : await this.#tableRows(plan);
    const findings = analyzePlan(plan, this.#thresholds, { analyzed, ...(tableRows ? { tableRows } : {}) });
    return { analyzed, plan, findings, ...(note ? { note } : {}) };
  }

  /**
   * Findings for the slow-query log: the generic plan of the normalized statement, so no parameter
   * value or literal reaches the log (a plan of the real call shows them in its filters).
   */
  async #genericFindings(normalizedSql: string): Promise<PlanFinding[]> {
    const client = await this.#pool.connect();
    let plan: unknown;
    try {
      // EXPLAIN without ANALYZE never executes the statement.
      await client.query('SET plan_cache_mode = force_generic_plan');
      plan = await explainGeneric(client, normalizedSql);
    } catch {
      return [];
    } finally {
      await client.query('RESET plan_cache_mode').catch(() => undefined);
      client.release();
    }
    const tableRows = await this.#tableRows(plan);
    return analyzePlan(plan, this.#thresholds, { analyzed: false, ...(tableRows ? { tableRows } : {}) });
  }

  async #tableRows(plan: unknown): Promise<Map<string, number> | undefined> {
    const names = new Set<string>();
    const visit = (node: unknown): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n['Node Type'] === 'Seq Scan' && typeof n['Relation Name'] === 'string')
        names.add(n['Relation Name']);
      for (const v of Object.values(n)) {
        if (Array.isArray(v)) for (const c of v) visit(c);
        else if (v && typeof v === 'object') visit(v);
      }
    };
    visit(Array.isArray(plan) ? plan[0] : plan);
    if (names.size === 0) return undefined;
    try {
      const { rows } = await this.#pool.query(
        `SELECT relname, max(reltuples)::float8 AS n FROM pg_class WHERE relname = ANY($1::text[]) AND relkind IN ('r','p','m') GROUP BY relname`,
        [[...names]],
      );
      return new Map(rows.map((r: { relname: string; n: number }) => [r.relname, Number(r.n)]));
    } catch {
      return undefined;
    }
  }

  // ---------------------------------------------------------------- batch

  async batchExecute(
    statements: readonly BatchStatement[],
    options: BatchOptions = {},
  ): Promise<OptimizedResult[]> {
    if (!Array.isArray(statements)) {
      throw new TypeError(`statements must be an array (received ${typeof statements})`);
    }
    const concurrency = options.concurrency ?? this.#batchConcurrency;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be an integer >= 1 (received ${String(concurrency)})`);
    }
    if (!options.transaction) {
      const limit = pLimit(concurrency);
      return Promise.all(
        statements.map((s) => limit(() => this.execute(s.sql, s.params ?? [], s.options ?? {}))),
      );
    }
    const infos: Array<SqlInfo | undefined> = [];
    for (const s of statements) infos.push(this.#analyzer.peek(s.sql) ?? (await this.#analyze(s.sql)));
    const client = await this.#pool.connect();
    const results: OptimizedResult[] = [];
    let index = -1;
    try {
      await client.query('BEGIN');
      for (index = 0; index < statements.length; index++) {
        const s = statements[index] as BatchStatement;
        const start = now();
        const result = await client.query(s.sql, (s.params ?? []) as unknown[]);
        results.push(Object.assign(result, { source: 'database' as const, durationMillis: now() - start }));
      }
      index = -1;
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
      throw new BatchTransactionError(
        `batchExecute: ${index >= 0 ? `statement ${index}` : 'COMMIT'} failed; the transaction was rolled back`,
        index,
        { cause: error },
      );
    }
    client.release();
    // After COMMIT, never before: a read racing the write cannot re-cache the old rows.
    const tables = new Set<string>();
    let all = false;
    for (const info of infos) {
      if (!info) all = true;
      else if (!info.readOnly) {
        if (info.unknownEffects) all = true;
        for (const t of info.tables) tables.add(t);
      }
    }
    if (all) await this.invalidateAll();
    else if (tables.size > 0) await this.#bump([...tables]);
    return results;
  }

  // ---------------------------------------------------------------- slow queries / advisor

  async getSlowQueries(options: SlowQueryOptions = {}): Promise<SlowQueryEntry[]> {
    const limit = options.limit ?? 50;
    checkNonNegative('limit', limit, true);
    const entries = this.#slowLog.entries();
    if (options.includePgStatStatements) {
      try {
        const ext = await this.#pool.query(`SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'`);
        if (ext.rowCount) {
          const { rows } = await this.#pool.query(
            `SELECT queryid::text AS id, query, calls::float8 AS calls, mean_exec_time AS mean, max_exec_time AS max
               FROM pg_stat_statements
              WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
                AND mean_exec_time >= $1
              ORDER BY mean_exec_time DESC LIMIT $2`,
            [this.#slowMillis, limit],
          );
          for (const r of rows as Array<{
            id: string;
            query: string;
            calls: number;
            mean: number;
            max: number;
          }>) {
            entries.push({
              fingerprint: `pgss:${r.id}`,
              normalizedSql: r.query,
              count: Number(r.calls),
              meanMillis: Number(r.mean),
              p95Millis: null,
              maxMillis: Number(r.max),
              lastSeen: new Date().toISOString(),
              lastFindings: [],
              source: 'pg_stat_statements',
            });
          }
        }
      } catch (error) {
        getLogger().warn('query optimizer: pg_stat_statements not readable', { error });
      }
    }
    return entries.sort((a, b) => b.meanMillis - a.meanMillis).slice(0, limit);
  }

  async suggestIndexes(options: SuggestIndexesOptions = {}): Promise<IndexAdvice> {
    this.#c.advisorRuns++;
    getMetrics().addMetric(MetricName.AdvisorRun, MetricUnit.Count, 1);
    const slow = await this.getSlowQueries({
      includePgStatStatements: options.includePgStatStatements ?? false,
      limit: 50,
    });
    const queries = [...new Set([...slow.map((s) => s.normalizedSql), ...(options.queries ?? [])])];
    return adviseIndexes(this.#pool, queries, {
      minCostSaving: options.minCostSaving ?? OPTIMIZER_DEFAULTS.minCostSaving,
      verifyWithRealIndexes: options.verifyWithRealIndexes ?? false,
    });
  }

  // ---------------------------------------------------------------- stats / metrics / lifecycle

  getCacheStats(): CacheStats {
    const l2 = this.#l2?.counters;
    const l1Lookups = this.#c.l1Hits + this.#c.l1Misses;
    const l2Lookups = (l2?.hits ?? 0) + (l2?.misses ?? 0);
    return {
      l1: {
        hits: this.#c.l1Hits,
        misses: this.#c.l1Misses,
        hitRate: l1Lookups ? this.#c.l1Hits / l1Lookups : 0,
        entries: this.#l1.size,
        bytes: this.#l1.calculatedSize,
        maxBytes: this.#l1MaxBytes,
        evictions: this.#c.evictions,
        staleServed: this.#c.staleServed,
      },
      l2: {
        enabled: this.#l2 !== undefined,
        hits: l2?.hits ?? 0,
        misses: l2?.misses ?? 0,
        hitRate: l2Lookups ? (l2?.hits ?? 0) / l2Lookups : 0,
        errors: l2?.errors ?? 0,
        timeouts: l2?.timeouts ?? 0,
        garbage: l2?.garbage ?? 0,
        skipped: l2?.skipped ?? 0,
        breakerOpen: this.#l2?.breakerOpen ?? false,
      },
      hitRate: l1Lookups ? (this.#c.l1Hits + (l2?.hits ?? 0)) / l1Lookups : 0,
      coalesced: this.#c.coalesced,
      invalidations: this.#c.invalidations,
      databaseQueries: this.#c.dbQueries,
    };
  }

  publishMetrics(): void {
    const stats = this.getCacheStats();
    const hits = stats.l1.hits + stats.l2.hits;
    const misses = stats.l1.misses - stats.l2.hits;
    const m = getMetrics();
    const dHits = hits - this.#published.hits;
    const dMisses = misses - this.#published.misses;
    const dQueries = this.#c.dbQueries - this.#published.dbQueries;
    const dMillis = this.#c.dbMillis - this.#published.dbMillis;
    m.addMetric(MetricName.CacheHit, MetricUnit.Count, dHits);
    m.addMetric(MetricName.CacheMiss, MetricUnit.Count, dMisses);
    if (dHits + dMisses > 0)
      m.addMetric(MetricName.CacheHitRate, MetricUnit.Percent, (100 * dHits) / (dHits + dMisses));
    if (dQueries > 0) m.addMetric(MetricName.QueryDuration, MetricUnit.Milliseconds, dMillis / dQueries);
    m.addMetric(MetricName.SlowQuery, MetricUnit.Count, this.#c.slow - this.#published.slow);
    m.addMetric(MetricName.CacheL2Errors, MetricUnit.Count, stats.l2.errors - this.#published.l2Errors);
    this.#published = {
      hits,
      misses,
      dbQueries: this.#c.dbQueries,
      dbMillis: this.#c.dbMillis,
      slow: this.#c.slow,
      l2Errors: stats.l2.errors,
    };
  }

  async warmUp(timeoutMillis = 2_000): Promise<boolean> {
    checkNonNegative('timeoutMillis', timeoutMillis);
    await loadSqlParser();
    return this.#l2 ? this.#l2.waitReady(timeoutMillis) : false;
  }

  async close(): Promise<void> {
    while (this.#background.size > 0) await Promise.all([...this.#background]);
    await this.#l2?.close();
  }
}
