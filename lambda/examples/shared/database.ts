/**
 * The examples' data layer: one pool and one query optimizer per Lambda environment (module-level,
 * so they survive between invocations). Handlers import it lazily, so `pg`, the pool and the
 * optimizer are not read at init by routes that never touch the database.
 */
import { createEnhancedPool, type EnhancedPool } from '../../shared/connection-pool/index.js';
import { createQueryOptimizer, type QueryOptimizer } from '../../shared/query-optimizer/index.js';
import { poolOptionsFromEnv } from './environment.js';

/** The environment's pool and optimizer. */
export interface Database {
  pool: EnhancedPool;
  optimizer: QueryOptimizer;
}

let database: Database | undefined;

/**
 * The environment's pool and optimizer, created on first use.
 *
 * @example
 * ```ts
 * const { optimizer } = getDatabase();
 * const { rows } = await optimizer.execute('SELECT * FROM products WHERE id = $1', [42], { cache: true });
 * ```
 */
export function getDatabase(): Database {
  if (database) return database;
  const pool = createEnhancedPool(poolOptionsFromEnv(process.env));
  const redisUrl = process.env.REDIS_URL;
  const optimizer = createQueryOptimizer(pool, {
    cacheTtlMillis: 30_000,
    slowQueryMillis: Number(process.env.SLOW_QUERY_MILLIS ?? 200),
    ...(redisUrl ? { redis: { url: redisUrl } } : {}),
  });
  database = { pool, optimizer };
  return database;
}

/**
 * Publishes the pool's and the optimizer's counters (EMF through the shared Metrics).
 *
 * @example
 * ```ts
 * publishDatabaseMetrics();
 * getMetrics().publishStoredMetrics();
 * ```
 */
export function publishDatabaseMetrics(): void {
  if (!database) return;
  database.pool.publishMetrics();
  database.optimizer.publishMetrics();
}
