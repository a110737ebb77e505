/**
 * Domain errors of the pool. Bad arguments throw `TypeError` / `RangeError` instead (eagerly, at
 * `createEnhancedPool`). Errors the server returns for a statement (syntax, constraint, timeout…)
 * reach the caller as pg's own `DatabaseError`, untouched, so `err.code` works as with `pg`.
 *
 * No message here ever contains a password: targets are described as `host:port/database as user`.
 */

/** Base class of the pool's errors. `code` is the SQLSTATE or Node error code of the cause, if any. */
export class PoolError extends Error {
  override name = 'PoolError';
  /** SQLSTATE (e.g. `53300`) or Node code (e.g. `ECONNREFUSED`) of the underlying failure. */
  readonly code: string | undefined;

  constructor(message: string, options?: { cause?: unknown; code?: string | undefined }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
  }
}

/** `query` / `connect` after `end()`. */
export class PoolClosedError extends PoolError {
  override name = 'PoolClosedError';
}

/** No connection could be opened within the retry deadline (refused, `53300`, timeouts…). */
export class PoolConnectionError extends PoolError {
  override name = 'PoolConnectionError';
}

/** Every connection is checked out and none came free within `connectionTimeoutMillis`. */
export class PoolTimeoutError extends PoolError {
  override name = 'PoolTimeoutError';
}

/** The credentials could not be fetched, or were refused even after a fresh fetch. */
export class PoolCredentialsError extends PoolError {
  override name = 'PoolCredentialsError';
}
