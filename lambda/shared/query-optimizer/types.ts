import type { QueryResult, QueryResultRow } from 'pg';

/** A statement with parameters as `pg` takes it; `name` makes it a named prepared statement. */
export interface QueryConfigLike {
  text: string;
  values?: unknown[];
  name?: string;
}

/**
 * What the optimizer needs from a client checked out of a pool: `pg.PoolClient` fits.
 */
export interface QueryableClient {
  // biome-ignore lint/suspicious/noExplicitAny: pg's own signature returns rows of any shape
  query(textOrConfig: string | QueryConfigLike, values?: unknown[]): Promise<QueryResult<any>>;
  release(error?: Error | boolean): void;
}

/**
 * Anything pg-compatible: `query(text, values)` returning pg's `QueryResult` and `connect()`
 * returning a client with `query` and `release()`. A plain `pg.Pool` and the toolkit's enhanced
 * pool both fit.
 */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: pg's own signature returns rows of any shape
  query(textOrConfig: string | QueryConfigLike, values?: unknown[]): Promise<QueryResult<any>>;
  connect(): Promise<QueryableClient>;
}

/** Thresholds of the EXPLAIN analysis and the slow-query log. */
export interface ExplainThresholds {
  /** A sequential scan reading more rows than this is a finding. @default 10000 */
  seqScanRows?: number;
  /** A nested loop taking longer than this (ms, with ANALYZE) is a finding. @default 1000 */
  nestedLoopMillis?: number;
  /** A nested loop whose outer side has more rows than this is a finding. @default 10000 */
  nestedLoopRows?: number;
  /** Estimated vs actual rows off by at least this factor is a finding (×10, ×100, ×1000 reported). @default 10 */
  misestimateFactor?: number;
  /** A filter removing at least this share of the rows it saw is a finding. @default 0.9 */
  filterRemovedShare?: number;
  /** ...when it removed at least this many rows. @default 1000 */
  filterRemovedMinRows?: number;
  /** One node taking at least this share of the total time is a finding. @default 0.5 */
  nodeTimeShare?: number;
}

/** L2 (Redis / ElastiCache) options. */
export interface RedisCacheOptions {
  /** `redis://` or `rediss://` (TLS) URL. Either this or `client`. */
  url?: string;
  /**
   * An ioredis client you created (the optimizer then never closes it). Create it with
   * `enableOfflineQueue: false` so a down Redis fails fast.
   */
  client?: RedisLike;
  /**
   * Prefix of every key. Keep a `{hash tag}` in it on cluster-mode Redis: the optimizer reads a value
   * and its tables' generation keys in one MGET, which must stay in one slot.
   * @default '{lpk:opt}:'
   */
  keyPrefix?: string;
  /** Budget of one L2 round trip; past it the call counts as a failure and the query goes on. @default 50 */
  timeoutMillis?: number;
  /** Consecutive failures that open the breaker. @default 2 */
  failureThreshold?: number;
  /** How long L2 is skipped once the breaker is open. @default 5000 */
  breakerMillis?: number;
  /** TLS options passed to ioredis (set automatically for `rediss://`). @default - none */
  tls?: Record<string, unknown>;
}

/** The subset of an ioredis client the L2 cache uses. */
export interface RedisLike {
  readonly status: string;
  mget(...keys: string[]): Promise<Array<string | null>>;
  set(key: string, value: string, px: 'PX', ttl: number): Promise<unknown>;
  incr(key: string): Promise<number>;
  quit(): Promise<unknown>;
  /** ioredis' event emitter (used to wait for `ready`). */
  once?(event: string, listener: () => void): unknown;
}

/** Options of {@link createQueryOptimizer}. */
export interface QueryOptimizerOptions {
  /** Default TTL of cached reads (ms). @default 60000 */
  cacheTtlMillis?: number;
  /** Cache reads unless the call says `cache: false`. @default false - each call opts in with `cache: true` */
  cacheByDefault?: boolean;
  /**
   * Byte budget of the L1 cache.
   * @default - 10% of AWS_LAMBDA_FUNCTION_MEMORY_SIZE (1024 MB assumed off Lambda)
   */
  l1MaxBytes?: number;
  /** Serve a stale entry this long past its TTL while one refresh runs in the background (ms). @default 0 - off */
  staleWhileRevalidateMillis?: number;
  /** L2 cache in Redis / ElastiCache. @default - none (memory-only) */
  redis?: RedisCacheOptions;
  /** Queries at or over this duration (ms) enter the slow-query log. @default 500 */
  slowQueryMillis?: number;
  /** Entries kept in the slow-query log. @default 200 */
  slowLogEntries?: number;
  /** Run a plain EXPLAIN (no ANALYZE) of a read that turned out slow, to store its findings. @default true */
  explainSlowQueries?: boolean;
  /** EXPLAIN thresholds. */
  thresholds?: ExplainThresholds;
  /** Allow `EXPLAIN ANALYZE` of writes (always inside a rolled-back transaction). @default false */
  allowAnalyzeWrites?: boolean;
  /**
   * Run hot statements as named prepared statements: after this many executions of one SQL text.
   * @default 0 - off (turn off on PGlite / PgBouncer transaction mode: named statements collide)
   */
  preparedStatementThreshold?: number;
  /** Most named prepared statements kept; the least recently used one is dropped. @default 100 */
  maxPreparedStatements?: number;
  /** Concurrency of `batchExecute`. @default 4 */
  batchConcurrency?: number;
}

/** A caller namespace: tenant, role, ... Two namespaces never share a cache entry. */
export type CacheNamespace = string | Readonly<Record<string, string | number>>;

/** EXPLAIN request of one call. */
export interface ExplainRequest {
  /** Run EXPLAIN ANALYZE (read-only statements; writes only with `allowWrites`). @default true */
  analyze?: boolean;
  /** Allow ANALYZE of a write (inside a rolled-back transaction). @default - the optimizer's `allowAnalyzeWrites` */
  allowWrites?: boolean;
}

/** Options of one `execute` call. */
export interface ExecuteOptions {
  /** Cache this read. Writes are never cached (they invalidate). @default - `cacheByDefault` */
  cache?: boolean;
  /** TTL of this entry (ms). @default - `cacheTtlMillis` */
  cacheTTL?: number;
  /** Tenant / role: part of the cache key. @default '' */
  namespace?: CacheNamespace;
  /** Also EXPLAIN the statement and return findings. @default false */
  explain?: boolean | ExplainRequest;
}

/** Where a result came from. */
export type ResultSource = 'l1' | 'l1-stale' | 'l2' | 'database';

/** A plan finding: the node, the numbers and the fix. */
export interface PlanFinding {
  kind:
    | 'seq-scan'
    | 'row-misestimate'
    | 'rows-removed-by-filter'
    | 'nested-loop'
    | 'disk-spill'
    | 'lossy-bitmap'
    | 'hot-node';
  /** e.g. 'Seq Scan on orders' */
  node: string;
  message: string;
  fix: string;
  numbers: Record<string, number>;
}

/** What `explain` returned. */
export interface ExplainReport {
  analyzed: boolean;
  /** The JSON plan as PostgreSQL returned it (`[0].Plan`, timings, ...). */
  plan: unknown;
  findings: PlanFinding[];
  /** Why ANALYZE was not used, if it was asked for. */
  note?: string;
}

/** `execute`'s result: pg's QueryResult plus where it came from. */
export type OptimizedResult<R extends QueryResultRow = QueryResultRow> = QueryResult<R> & {
  source: ResultSource;
  /** Milliseconds spent in this call. */
  durationMillis: number;
  explain?: ExplainReport;
};

/** One statement of `batchExecute`. */
export interface BatchStatement {
  sql: string;
  params?: unknown[];
  options?: ExecuteOptions;
}

/** Options of `batchExecute`. */
export interface BatchOptions {
  /** Run all statements in order in one transaction on one client (all or nothing). @default false */
  transaction?: boolean;
  /** Concurrency when not in a transaction. @default - the optimizer's `batchConcurrency` */
  concurrency?: number;
}

/** An entry of the slow-query log (parameter values are never stored). */
export interface SlowQueryEntry {
  fingerprint: string;
  /** The statement with literals replaced by `$n`. */
  normalizedSql: string;
  count: number;
  meanMillis: number;
  /** `null` for pg_stat_statements entries (it keeps no percentiles). */
  p95Millis: number | null;
  maxMillis: number;
  lastSeen: string;
  /** Findings of the last plan seen for this shape. */
  lastFindings: PlanFinding[];
  source: 'optimizer' | 'pg_stat_statements';
}

/** Options of `getSlowQueries`. */
export interface SlowQueryOptions {
  /** Also read the top statements of `pg_stat_statements` when the extension is installed. @default false */
  includePgStatStatements?: boolean;
  /** Most entries returned (slowest mean first). @default 50 */
  limit?: number;
}

/** Options of `suggestIndexes`. */
export interface SuggestIndexesOptions {
  /**
   * Without HypoPG: verify each candidate with a real index inside a transaction that is rolled
   * back (takes a SHARE lock on the table while it runs; blocks writes on it).
   * @default false
   */
  verifyWithRealIndexes?: boolean;
  /** Keep a candidate only if it cuts a query's planned cost by at least this share. @default 0.5 */
  minCostSaving?: number;
  /** Extra statements to include in the workload (normalized; literals or `$n`). @default [] */
  queries?: string[];
  /** Also take the slowest statements of `pg_stat_statements` when installed. @default false */
  includePgStatStatements?: boolean;
}

/** One verified index suggestion. */
export interface IndexSuggestion {
  /** `CREATE INDEX CONCURRENTLY IF NOT EXISTS "..." ON "schema"."table" ("col", ...)` */
  statement: string;
  schema: string;
  table: string;
  columns: string[];
  /** Queries this index helps, with planned cost before and after. */
  queries: Array<{ sql: string; costBefore: number; costAfter: number; saving: number }>;
  /** Best saving among those queries (0..1). */
  saving: number;
}

/** What `suggestIndexes` returned. */
export interface IndexAdvice {
  method: 'hypopg' | 'real-index-rolled-back' | 'none';
  suggestions: IndexSuggestion[];
  /** Statements analysed. */
  queriesAnalyzed: number;
  candidatesTried: number;
  /** e.g. 'HypoPG is not installed: ...' */
  notes: string[];
}

/** Counters of one cache level. */
export interface LevelStats {
  hits: number;
  misses: number;
  hitRate: number;
}

/** What `getCacheStats` returned. */
export interface CacheStats {
  l1: LevelStats & {
    entries: number;
    bytes: number;
    maxBytes: number;
    evictions: number;
    staleServed: number;
  };
  l2: LevelStats & {
    enabled: boolean;
    errors: number;
    timeouts: number;
    garbage: number;
    skipped: number;
    breakerOpen: boolean;
  };
  /** Overall: hits (either level) / lookups. */
  hitRate: number;
  /** Misses that joined an in-flight query instead of running their own. */
  coalesced: number;
  invalidations: number;
  databaseQueries: number;
}
