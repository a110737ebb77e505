/**
 * Base of every error the query optimizer throws for a domain failure.
 *
 * @example
 * ```ts
 * import { QueryOptimizerError } from 'lambda-perf-kit/optimizer';
 * try { await optimizer.suggestIndexes(); } catch (e) { if (e instanceof QueryOptimizerError) console.error(e.message); }
 * ```
 */
export class QueryOptimizerError extends Error {
  override name = 'QueryOptimizerError';
}

/**
 * A batch run in one transaction failed; the transaction was rolled back. `cause` holds the
 * statement's error and `index` the statement that failed.
 *
 * @example
 * ```ts
 * import { BatchTransactionError } from 'lambda-perf-kit/optimizer';
 * try { await optimizer.batchExecute(stmts, { transaction: true }); }
 * catch (e) { if (e instanceof BatchTransactionError) console.error(e.index, e.cause); }
 * ```
 */
export class BatchTransactionError extends QueryOptimizerError {
  override name = 'BatchTransactionError';
  constructor(
    message: string,
    readonly index: number,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}
