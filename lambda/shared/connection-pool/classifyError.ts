/**
 * How the pool reads a failure: may it retry, must it throw the client away. Kept in one place so
 * the rules can be read (and tested) as a table.
 *
 * - A statement is re-run only when it certainly never reached the server, or when the caller
 *   declared it idempotent and the failure was a lost connection (it may or may not have run).
 * - Connection-phase failures (refused, too many connections, timeouts, server starting up) never
 *   sent a statement: they are always retried within the deadline.
 * - A client is destroyed after any failure that leaves its socket in doubt, after a timeout, and
 *   after `statement_timeout` (57014) — never put back in the pool half-open.
 */

/** Node socket error codes of a lost or unreachable server. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENOTCONN',
  'EAI_AGAIN',
]);

/** Messages pg uses for a connection that ended or timed out (pg sets no code on them). */
const LOST_MESSAGES = new Set([
  'Connection terminated unexpectedly',
  'Connection terminated',
  'Connection terminated due to connection timeout',
  'timeout expired',
  'Query read timeout',
]);

/** Messages pg uses when a statement was refused before it was written to the socket. */
const NOT_SENT_MESSAGES = new Set([
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
]);

/** pg-pool's message when every client stayed busy for `connectionTimeoutMillis`. */
export const CHECKOUT_TIMEOUT_MESSAGE = 'timeout exceeded when trying to connect';

/** The SQLSTATE of a server error, else undefined. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** The SQLSTATE or Node error code, for messages and metrics. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The connection is gone or in doubt (socket error, server shutdown, admin kill, timeouts).
 *
 * @example
 * ```ts
 * isConnectionLost(Object.assign(new Error('terminating connection'), { code: '57P01' })); // true
 * ```
 */
export function isConnectionLost(error: unknown): boolean {
  const state = sqlState(error);
  if (state !== undefined) {
    // 08xxx connection exceptions; 57P01 admin shutdown / pg_terminate_backend; 57P02 crash
    // shutdown; 57P03 cannot connect now (starting up or shutting down); 57P05 idle session timeout.
    return (
      state.startsWith('08') ||
      state === '57P01' ||
      state === '57P02' ||
      state === '57P03' ||
      state === '57P05'
    );
  }
  const code = errorCode(error);
  if (code !== undefined && NETWORK_CODES.has(code)) return true;
  return LOST_MESSAGES.has(message(error));
}

/**
 * The statement was refused by pg before anything was written: re-running it is always safe.
 *
 * @example
 * ```ts
 * isNeverSent(new Error('Client has encountered a connection error and is not queryable')); // true
 * ```
 */
export function isNeverSent(error: unknown): boolean {
  return NOT_SENT_MESSAGES.has(message(error));
}

/**
 * A failure while opening a connection that is worth another try after a backoff.
 *
 * @example
 * ```ts
 * isRetryableConnectError(Object.assign(new Error('sorry, too many clients already'), { code: '53300' })); // true
 * ```
 */
export function isRetryableConnectError(error: unknown): boolean {
  const state = sqlState(error);
  // 53300 too_many_connections (also a role's CONNECTION LIMIT); 53000 insufficient resources.
  if (state === '53300' || state === '53000') return true;
  return isConnectionLost(error);
}

/**
 * The server refused the password or token (rotated secret, expired IAM token).
 *
 * @example
 * ```ts
 * isAuthFailure(Object.assign(new Error('password authentication failed'), { code: '28P01' })); // true
 * ```
 */
export function isAuthFailure(error: unknown): boolean {
  const state = sqlState(error);
  return state === '28P01' || state === '28000';
}

/** pg-pool gave up waiting for a free client. */
export function isCheckoutTimeout(error: unknown): boolean {
  return message(error) === CHECKOUT_TIMEOUT_MESSAGE;
}

/**
 * Whether a client must be destroyed after this error rather than returned to the pool.
 *
 * @example
 * ```ts
 * mustDiscardClient(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })); // true
 * mustDiscardClient(Object.assign(new Error('duplicate key value'), { code: '23505' })); // false
 * ```
 *
 * Server errors of a statement (syntax, constraint, serialization…) leave the connection ready;
 * anything without a SQLSTATE (socket errors, pg's query timeout) and the classes that concern
 * the connection itself (08 connection, 53 resources, 57 operator intervention incl. 57014,
 * 58 system, XX internal) do not.
 */
export function mustDiscardClient(error: unknown): boolean {
  const state = sqlState(error);
  if (state === undefined) return true;
  const cls = state.slice(0, 2);
  return cls === '08' || cls === '53' || cls === '57' || cls === '58' || cls === 'XX';
}
