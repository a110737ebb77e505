/**
 * The examples' data layer: one pool and one query optimizer per Lambda environment (module-level,
 * so they survive between invocations). Handlers import it lazily, so `pg`, the pool and the
 * optimizer are not read at init by routes that never touch the database.
 */
import { createEnhancedPool, type EnhancedPool } from '../../shared/connection-pool/index.js';
import {
  createQueryOptimizer,
  type QueryOptimizer,
  type RedisLike,
} from '../../shared/query-optimizer/index.js';
import { poolOptionsFromEnv, redisUrlFromEnv } from './environment.js';
import { redisCacheOptions } from './redis.js';

/** The environment's pool and optimizer. */
export interface Database {
  pool: EnhancedPool;
  optimizer: QueryOptimizer;
  /** The cluster client this module created (the optimizer closes only clients it created). */
  redisClient?: RedisLike;
}

let database: Promise<Database> | undefined;

/**
 * The cache password, from the secret the stack passes as REDIS_AUTH_SECRET_ARN (never from the
 * environment itself). The SDK is loaded only when a secret is configured.
 */
async function redisPassword(secretArn: string): Promise<string> {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  try {
    const secret = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const text = secret.SecretString ?? '';
    try {
      const parsed = JSON.parse(text) as { password?: string; authToken?: string };
      return parsed.password ?? parsed.authToken ?? text;
    } catch {
      return text;
    }
  } finally {
    client.destroy();
  }
}

async function create(): Promise<Database> {
  const pool = createEnhancedPool(poolOptionsFromEnv(process.env));
  const secretArn = process.env.REDIS_AUTH_SECRET_ARN;
  const redisUrl = redisUrlFromEnv(process.env, secretArn ? await redisPassword(secretArn) : undefined);
  const redis = redisUrl
    ? await redisCacheOptions(redisUrl, process.env.REDIS_CLUSTER_MODE === 'true')
    : undefined;
  const optimizer = createQueryOptimizer(pool, {
    cacheTtlMillis: 30_000,
    slowQueryMillis: Number(process.env.SLOW_QUERY_MILLIS ?? 200),
    ...(redis ? { redis } : {}),
  });
  return { pool, optimizer, ...(redis?.client ? { redisClient: redis.client } : {}) };
}

/**
 * The environment's pool and optimizer, created on first use (single-flight; a failed creation
 * is not kept, the next call tries again).
 *
 * @example
 * ```ts
 * const { optimizer } = await getDatabase();
 * const { rows } = await optimizer.execute('SELECT * FROM products WHERE id = $1', [42], { cache: true });
 * ```
 */
export function getDatabase(): Promise<Database> {
  database ??= create().catch((error: unknown) => {
    database = undefined;
    throw error;
  });
  return database;
}

/**
 * Publishes the pool's and the optimizer's counters (EMF through the shared Metrics).
 *
 * @example
 * ```ts
 * await publishDatabaseMetrics();
 * getMetrics().publishStoredMetrics();
 * ```
 */
export async function publishDatabaseMetrics(): Promise<void> {
  if (!database) return;
  const { pool, optimizer } = await database;
  pool.publishMetrics();
  optimizer.publishMetrics();
}

/**
 * Closes the optimizer and ends the pool; the next {@link getDatabase} creates fresh ones.
 * For tests, local runs and a SIGTERM handler (Lambda itself freezes, it does not exit).
 *
 * @example
 * ```ts
 * afterAll(() => closeDatabase());
 * ```
 */
export async function closeDatabase(): Promise<void> {
  const current = database;
  database = undefined;
  if (!current) return;
  const created = await current.catch(() => undefined);
  if (!created) return;
  await created.optimizer.close();
  await created.redisClient?.quit().catch(() => undefined);
  await created.pool.end();
}
