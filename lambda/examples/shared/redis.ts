/**
 * The optimizer's L2 options from the environment the stack sets: a plain client for a standalone
 * or serverless cache (`REDIS_URL`), an ioredis `Cluster` for a cluster-mode replication group
 * (`REDIS_CLUSTER_MODE=true`): a standalone client on a cluster's configuration endpoint gets
 * `MOVED` from any node that is not the slot's primary (a replica, or the old primary after a
 * failover), and L2 would then fail open for good.
 */
import type { RedisCacheOptions, RedisLike } from '../../shared/query-optimizer/index.js';

/**
 * @param url the cache URL with user and password already in it (see `redisUrlFromEnv`).
 * @example
 * ```ts
 * const redis = await redisCacheOptions(url, process.env.REDIS_CLUSTER_MODE === 'true');
 * const optimizer = createQueryOptimizer(pool, { redis });
 * ```
 */
export async function redisCacheOptions(url: string, clusterMode: boolean): Promise<RedisCacheOptions> {
  if (!clusterMode) return { url };
  const { Cluster } = await import('ioredis');
  const parsed = new URL(url);
  const cluster = new Cluster([{ host: parsed.hostname, port: Number(parsed.port || 6379) }], {
    // ElastiCache's TLS certificates name the configuration endpoint, not the node IPs.
    dnsLookup: (address, callback) => callback(null, address),
    enableOfflineQueue: false,
    slotsRefreshTimeout: 2_000,
    redisOptions: {
      ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
      ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
      ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
    },
  });
  cluster.on('error', () => undefined); // the optimizer counts L2 failures and fails open
  return { client: cluster as unknown as RedisLike };
}
