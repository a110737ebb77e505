import type { PoolConfig, QueryConfig } from 'pg';

/**
 * How the pool caps its size by what the database can take: every concurrent Lambda environment
 * holds its own pool, so `max` is at most `(maxConnections - reserved) / expectedConcurrency`.
 */
export interface ConnectionBudget {
  /** The server's `max_connections` (Aurora sets it from the instance class; `SHOW max_connections`). */
  maxConnections: number;
  /**
   * Connections kept for everything else: superusers, migrations, RDS Proxy, other services.
   * @default 3 - PostgreSQL's `superuser_reserved_connections`
   */
  reserved?: number;
  /** Concurrent environments you expect (reserved or peak concurrency of the function). */
  expectedConcurrency: number;
}

/** Backoff with full jitter for connection failures and for statements that may be retried. */
export interface RetryOptions {
  /**
   * Attempts in all for one call, the first included (`1` turns retries off).
   * @default 10
   */
  maxAttempts?: number;
  /**
   * The first backoff ceiling; the n-th wait is random in `[0, min(maxDelayMillis, base * 2^(n-1)))`.
   * @default 50
   */
  baseDelayMillis?: number;
  /**
   * The highest backoff ceiling.
   * @default 1000
   */
  maxDelayMillis?: number;
  /**
   * No retry is scheduled past this many ms after the call started (`0`: never retry).
   * @default 5000
   */
  deadlineMillis?: number;
}

/** Username and password, e.g. from a secret. */
export interface DatabaseCredentials {
  /** @default - the pool's `user` */
  user?: string;
  password: string;
}

/**
 * Where the password comes from. Without `credentials`, pg's own `user` / `password` (or the
 * connection string's) are used as given.
 */
export type CredentialsOptions =
  | {
      /** An AWS Secrets Manager secret (the RDS JSON shape `{ username, password }`, or a bare password). */
      source: 'secrets-manager';
      /** Secret name or ARN. */
      secretId: string;
      /**
       * Options for the `SecretsManagerClient` (region, endpoint, credentials…).
       * @default - the SDK's defaults: `AWS_REGION` and the function's role
       */
      clientConfig?: Record<string, unknown>;
    }
  | {
      /** RDS IAM authentication: a token signed with `@aws-sdk/rds-signer`, refreshed before its 15 minutes run out. Needs TLS. */
      source: 'iam';
      /**
       * @default - `AWS_REGION`
       */
      region?: string;
      /**
       * AWS credentials for signing (an SDK credential provider or static keys).
       * @default - the SDK's default chain (the function's role)
       */
      awsCredentials?: unknown;
    }
  | {
      /** Your own fetcher (Parameter Store, Vault, a test…). Called once, and again after a `28P01`. */
      source: 'provider';
      getCredentials: () => Promise<DatabaseCredentials>;
    };

/** Routes `readOnly` queries to a reader endpoint (Aurora's `-ro-` endpoint or a replica). */
export interface ReaderOptions {
  /**
   * The reader's connection string. Either this or `host`.
   * @default - none: give this or `host`
   */
  connectionString?: string;
  /**
   * The reader's host (port, database, user and credentials are the writer's unless given).
   * @default - none: give this or `connectionString`
   */
  host?: string;
  /** @default - the writer's port */
  port?: number;
  /**
   * Reader pool size.
   * @default - the writer pool's `max`
   */
  max?: number;
}

/** The opt-in SIGTERM handler (Lambda sends SIGTERM only when an extension is registered). */
export interface ShutdownOptions {
  /**
   * Total time to drain queries in flight and close every socket.
   * @default 400 - Lambda gives 500 ms of shutdown when an internal extension is registered
   */
  budgetMillis?: number;
  /**
   * Call `process.exit(0)` afterwards when no other SIGTERM listener is left
   * (a process with a SIGTERM listener no longer exits on SIGTERM by itself).
   * @default true
   */
  exit?: boolean;
}

/**
 * Options of {@link createEnhancedPool}: every `pg.PoolConfig` field (a `pg` user changes one
 * line), with Lambda-minded defaults, plus the fields below.
 */
export interface EnhancedPoolOptions extends PoolConfig {
  /**
   * Pool size. Explicit `max` wins over the memory rule and the connection budget.
   * @default - `min(floor(memoryMB / 128), 10)`, at least 1, capped by `connectionBudget`
   */
  max?: number;
  /**
   * Connections `warmUp()` opens and the idle timeout never closes.
   * @default 1
   */
  min?: number;
  /**
   * The function's memory, for sizing.
   * @default - `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`; outside Lambda the pool sizes to 10
   */
  memoryMB?: number;
  /**
   * Caps `max` by what the database can take across all environments.
   * @default - no cap beyond the memory rule
   */
  connectionBudget?: ConnectionBudget;
  /**
   * Idle connections close after this (`0`: never).
   * @default 60000 - shorter than a NAT gateway's 350 s and RDS Proxy's 1800 s idle cuts
   */
  idleTimeoutMillis?: number;
  /**
   * Time allowed for a new connection (TCP + TLS + startup), and for a wait for a free client.
   * @default 5000
   */
  connectionTimeoutMillis?: number;
  /**
   * TCP keep-alive on every socket.
   * @default true
   */
  keepAlive?: boolean;
  /**
   * Silence before the first keep-alive probe.
   * @default 10000
   */
  keepAliveInitialDelayMillis?: number;
  /**
   * Server-side statement limit in ms, sent at connection start (`false` or `0`: none).
   * PgBouncer rejects this startup parameter: there set `false` and use `ALTER ROLE … SET statement_timeout`.
   * @default 30000
   */
  statement_timeout?: false | number;
  /**
   * Client-side query limit in ms (`0`: none). A query that hits it has its socket destroyed.
   * @default 25000
   */
  query_timeout?: number;
  /**
   * A client idle for longer than this is checked with an empty query (one round trip) before it
   * is handed out; a dead one is replaced. After a freeze/thaw the idle sockets may be dead.
   * `0` checks every reuse, `Infinity` never.
   * @default 1000
   */
  validateIdleAfterMillis?: number;
  /**
   * How long the idle check waits for its answer before the client counts as dead.
   * @default 1000
   */
  validationTimeoutMillis?: number;
  /**
   * Backoff for connection failures (`53300`, refusals, timeouts) and retryable statements.
   * @default - `{ maxAttempts: 10, baseDelayMillis: 50, maxDelayMillis: 1000, deadlineMillis: 5000 }`
   */
  retry?: RetryOptions;
  /**
   * Where the password comes from: Secrets Manager, an RDS IAM token, or your own fetcher.
   * @default - pg's `user` / `password` as given (static)
   */
  credentials?: CredentialsOptions;
  /**
   * PEM file of the CAs that sign the server's certificate, used when `ssl` is not given and the
   * host is not local (TLS is then on and verified).
   * @default - `/var/runtime/ca-cert.pem` when it exists (Lambda ships the RDS CAs there), else Node's trust store
   */
  rdsCaFile?: string;
  /**
   * A reader endpoint for queries marked `readOnly`; they fall back to the writer when it fails.
   * @default - no reader: everything goes to the writer
   */
  reader?: ReaderOptions;
  /**
   * Installs a SIGTERM handler that drains and ends the pool within the budget.
   * Lambda delivers SIGTERM only when an extension is registered.
   * @default false
   */
  handleSigterm?: boolean | ShutdownOptions;
}

/**
 * Per-query options: the third argument of `query`, or fields of the query config object
 * (`pool.query({ text, values, idempotent: true })`).
 */
export interface QueryOptions {
  /**
   * The statement may run twice without harm (a read, an upsert to the same value…): it is then
   * retried after a connection loss, even when it may have reached the server. Statements that
   * certainly never reached the server are retried whatever this says.
   * @default false - `true` when `readOnly`
   */
  idempotent?: boolean;
  /**
   * Send it to the reader endpoint (falls back to the writer). Implies `idempotent`.
   * @default false
   */
  readOnly?: boolean;
  /**
   * Overrides the pool's `retry.deadlineMillis` for this call.
   * @default - the pool's
   */
  deadlineMillis?: number;
}

/** A pg query config that may carry {@link QueryOptions}. */
export interface EnhancedQueryConfig<I = unknown[]> extends QueryConfig<I>, QueryOptions {
  /** pg's row mode: `'array'` returns rows as arrays. */
  rowMode?: 'array';
}

/** Options of `connect()`. */
export interface ConnectOptions {
  /** Check out a reader client (falls back to the writer). @default false */
  readOnly?: boolean;
  /** @default - the pool's `retry.deadlineMillis` */
  deadlineMillis?: number;
}

/** What `warmUp()` did. */
export interface WarmUpResult {
  /** Connections open when it finished. */
  total: number;
  /** New connections it opened. */
  opened: number;
  millis: number;
}

/** Counters and gauges; see `getMetrics()`. Times are in ms. */
export interface PoolMetrics {
  /** Open connections (writer + reader). */
  total: number;
  /** Connections checked out. */
  active: number;
  /** Connections idle in the pool. */
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** The writer pool's size limit. */
  max: number;
  /** `pool.query` calls finished (succeeded or failed). Statements on clients from `connect()` are not counted. */
  totalQueries: number;
  /** Mean duration of `pool.query` calls as the caller saw them (wait, retries and round trips). */
  avgQueryTime: number;
  /** 95th percentile of the same, over the last 1024 calls. */
  p95: number;
  /** Most connections open at once. */
  peak: number;
  /** Calls that failed (the error reached the caller). */
  errors: number;
  /** Connections opened. */
  connectionsCreated: number;
  /** Dead connections found and replaced (failed idle check, dropped socket, killed backend). */
  reconnects: number;
  /** Retries made (backoff after a connection failure, or a statement re-run). */
  retries: number;
  /** Idle checks made. */
  validations: number;
  /** `readOnly` calls that went to the writer because the reader failed. */
  readerFallbacks: number;
  /** Credentials fetched again after an authentication failure. */
  credentialRefreshes: number;
}

/** What `getHealthStatus()` says. */
export interface PoolHealth {
  /** `degraded`: working, but see `reasons`. `ended`: `end()` was called. */
  status: 'healthy' | 'degraded' | 'ended';
  /** Why it is not healthy, one sentence each (empty when healthy). */
  reasons: string[];
  metrics: PoolMetrics;
}
