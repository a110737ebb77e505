/**
 * Domain errors of the pool. Bad arguments throw `TypeError` / `RangeError` instead (eagerly, at
 * `createEnhancedPool`). Errors the server returns for a statement (syntax, constraint, timeout…)
 * reach the caller as pg's own `DatabaseError`, untouched, so `err.code` works as with `pg`.
 *
 * No message here ever contains a password: targets are described as `host:port/database as user`.
 */

/**
 * Base class of the pool's errors. `code` is the SQLSTATE or Node error code of the cause, if any.
 *
 * @example
 * ```ts
 * try {
 *   await pool.query('SELECT 1');
 * } catch (error) {
 *   if (error instanceof PoolError) logger.error('database unavailable', { code: error.code });
 *   throw error;
 * }
 * ```
 */
export class PoolError extends Error {
  override name = 'PoolError';
  /** SQLSTATE (e.g. `53300`) or Node code (e.g. `ECONNREFUSED`) of the underlying failure. */
  readonly code: string | undefined;

  constructor(message: string, options?: { cause?: unknown; code?: string | undefined }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = options?.code;
  }
}

/**
 * `query` / `connect` after `end()`.
 *
 * @example
 * ```ts
 * await pool.end();
 * await pool.query('SELECT 1').catch((e) => e instanceof PoolClosedError); // true
 * ```
 */
export class PoolClosedError extends PoolError {
  override name = 'PoolClosedError';
}

/**
 * No connection could be opened within the retry deadline (refused, `53300`, timeouts…).
 *
 * @example
 * ```ts
 * const error = await pool.query('SELECT 1').catch((e) => e);
 * if (error instanceof PoolConnectionError && error.code === '53300') { } // out of connection slots
 * ```
 */
export class PoolConnectionError extends PoolError {
  override name = 'PoolConnectionError';
}

/**
 * Every connection is checked out and none came free within `connectionTimeoutMillis`.
 *
 * @example
 * ```ts
 * const error = await pool.connect().catch((e) => e);
 * if (error instanceof PoolTimeoutError) { } // clients are held too long, or max is too small
 * ```
 */
export class PoolTimeoutError extends PoolError {
  override name = 'PoolTimeoutError';
}

/**
 * The credentials could not be fetched, or were refused even after a fresh fetch.
 *
 * @example
 * ```ts
 * const error = await pool.query('SELECT 1').catch((e) => e);
 * if (error instanceof PoolCredentialsError) { } // check the secret, or the rds-db:connect policy
 * ```
 */
export class PoolCredentialsError extends PoolError {
  override name = 'PoolCredentialsError';
}
