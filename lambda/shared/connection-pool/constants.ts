/**
 * Defaults of the enhanced pool, in one place. Each one is documented again, with its reason, on
 * the option it belongs to (`EnhancedPoolOptions` in types.ts).
 */

/** Memory (MB) per pooled connection when sizing from the function's memory. */
export const MEMORY_MB_PER_CONNECTION = 128;
/** The most connections the memory rule ever gives one environment. */
export const MAX_CONNECTIONS_CAP = 10;
/** Connections a connection budget keeps back when `reserved` is not given (PostgreSQL's `superuser_reserved_connections`). */
export const DEFAULT_BUDGET_RESERVED = 3;
/** Connections `warmUp()` opens and the idle reaper keeps. */
export const DEFAULT_MIN = 1;

/** Idle connections close after this: well under a NAT gateway's 350 s and RDS Proxy's 1800 s idle cuts. */
export const DEFAULT_IDLE_TIMEOUT_MILLIS = 60_000;
/** A new connection (TCP + TLS + startup) or a wait for a free client gives up after this. */
export const DEFAULT_CONNECTION_TIMEOUT_MILLIS = 5_000;
/** TCP keep-alive probes start after this much silence. */
export const DEFAULT_KEEP_ALIVE_INITIAL_DELAY_MILLIS = 10_000;
/** Server-side limit on one statement (sent as the `statement_timeout` startup parameter). */
export const DEFAULT_STATEMENT_TIMEOUT_MILLIS = 30_000;
/** Client-side limit on one query; the client is then destroyed, never reused. */
export const DEFAULT_QUERY_TIMEOUT_MILLIS = 25_000;

/** A client idle for longer than this is validated with an empty query before it is handed out. */
export const DEFAULT_VALIDATE_IDLE_AFTER_MILLIS = 1_000;
/** The empty-query validation gives up after this and the client is replaced. */
export const DEFAULT_VALIDATION_TIMEOUT_MILLIS = 1_000;

/** Attempts in all for one call, the first included. */
export const DEFAULT_RETRY_MAX_ATTEMPTS = 10;
/** First backoff ceiling (full jitter: the wait is random in [0, ceiling)). */
export const DEFAULT_RETRY_BASE_DELAY_MILLIS = 50;
/** Highest backoff ceiling. */
export const DEFAULT_RETRY_MAX_DELAY_MILLIS = 1_000;
/** No retry is scheduled past this many ms after the call started. */
export const DEFAULT_RETRY_DEADLINE_MILLIS = 5_000;

/** `end()` waits this long for queries in flight before it destroys their sockets. */
export const DEFAULT_END_TIMEOUT_MILLIS = 5_000;
/** The SIGTERM handler's budget: Lambda allows 500 ms of shutdown with an internal extension. */
export const DEFAULT_SHUTDOWN_BUDGET_MILLIS = 400;

/** RDS IAM auth tokens live 15 minutes; a new one is signed once the cached one is this old. */
export const IAM_TOKEN_REFRESH_AFTER_MILLIS = 10 * 60_000;
/** Where Lambda's Node.js runtimes keep the Amazon CA bundle (RDS CAs included). */
export const LAMBDA_CA_BUNDLE_PATH = '/var/runtime/ca-cert.pem';

/** Query durations kept for the p95 (a ring buffer). */
export const LATENCY_WINDOW = 1024;
/** Outcomes kept for the health check's recent error rate. */
export const OUTCOME_WINDOW = 100;
/** A failed connection attempt this recent (and none succeeded since) makes the pool degraded. */
export const RECENT_FAILURE_MILLIS = 30_000;
/** After the reader fails to connect, `readOnly` calls go straight to the writer for this long. */
export const READER_RETRY_AFTER_MILLIS = 5_000;
