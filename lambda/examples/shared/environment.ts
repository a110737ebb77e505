/**
 * Reads the example handlers' configuration from the environment the CDK stack sets
 * (PGHOST, PGPORT, PGDATABASE, PGUSER, DB_SECRET_ARN, DB_IAM_AUTH, DB_READER_HOST, REDIS_URL, ...)
 * or, locally, from DATABASE_URL / REDIS_URL. Pure: no I/O, no heavy imports.
 */
import type { EnhancedPoolOptions } from '../../shared/connection-pool/index.js';

/**
 * Pool options from the environment.
 *
 * @example
 * ```ts
 * const pool = createEnhancedPool(poolOptionsFromEnv(process.env));
 * ```
 */
export function poolOptionsFromEnv(env: NodeJS.ProcessEnv): EnhancedPoolOptions {
  const options: EnhancedPoolOptions = {
    application_name: env.AWS_LAMBDA_FUNCTION_NAME ?? 'perf-kit-example',
  };
  if (env.DATABASE_URL) {
    options.connectionString = env.DATABASE_URL;
  } else {
    if (!env.PGHOST) {
      throw new TypeError(
        'No database configured: set DATABASE_URL (postgres://user:password@host:port/db), or PGHOST with PGDATABASE/PGUSER and DB_SECRET_ARN or DB_IAM_AUTH=true.',
      );
    }
    options.host = env.PGHOST;
    options.port = Number(env.PGPORT ?? 5432);
    options.database = env.PGDATABASE ?? 'postgres';
    options.user = env.PGUSER ?? 'postgres';
    if (env.DB_IAM_AUTH === 'true') options.credentials = { source: 'iam' };
    else if (env.DB_SECRET_ARN)
      options.credentials = { source: 'secrets-manager', secretId: env.DB_SECRET_ARN };
  }
  if (env.DB_READER_HOST) options.reader = { host: env.DB_READER_HOST };
  if (env.DB_EXPECTED_CONCURRENCY && env.DB_MAX_CONNECTIONS) {
    options.connectionBudget = {
      maxConnections: Number(env.DB_MAX_CONNECTIONS),
      expectedConcurrency: Number(env.DB_EXPECTED_CONCURRENCY),
    };
  }
  return options;
}

/**
 * The cache URL: REDIS_URL, with REDIS_USERNAME and the password (fetched from
 * REDIS_AUTH_SECRET_ARN by the caller) added when given. `undefined` means memory-only caching.
 *
 * @example
 * ```ts
 * redisUrlFromEnv({ REDIS_URL: 'rediss://cache:6379', REDIS_USERNAME: 'app' }, 'pw'); // 'rediss://app:pw@cache:6379'
 * ```
 */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv, password?: string): string | undefined {
  if (!env.REDIS_URL) return undefined;
  const url = new URL(env.REDIS_URL);
  if (env.REDIS_USERNAME) url.username = encodeURIComponent(env.REDIS_USERNAME);
  if (password !== undefined) url.password = encodeURIComponent(password);
  return url.toString();
}
