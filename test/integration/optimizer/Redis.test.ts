import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryOptimizer } from '../../../lambda/shared/query-optimizer/index.js';
import { redisUrl, startPrivateRedis } from '../../helpers/services.js';
import { createFixture, type Fixture, uniquePrefix } from './fixtures.js';

async function ready(optimizer: { warmUp: () => Promise<boolean> }): Promise<void> {
  expect(await optimizer.warmUp()).toBe(true);
}

describe('L2 cache in real Redis', () => {
  let fx: Fixture;
  let redis: Redis;
  beforeAll(async () => {
    fx = await createFixture();
    redis = new Redis(redisUrl());
    await fx.sql(
      `CREATE TABLE ${fx.schema}.products (id int PRIMARY KEY, price numeric, seen timestamptz, big bigint)`,
    );
    await fx.sql(
      `INSERT INTO ${fx.schema}.products VALUES (1, 9.5, '2026-01-02T03:04:05Z', 9007199254740993)`,
    );
  });
  afterAll(async () => {
    await redis.quit();
    await fx.drop();
  });

  it('serves another environment from L2 with the same values, and a write reaches every environment', async () => {
    const prefix = uniquePrefix();
    const envA = createQueryOptimizer(fx.pool, { redis: { url: redisUrl(), keyPrefix: prefix } });
    const envB = createQueryOptimizer(fx.pool, { redis: { url: redisUrl(), keyPrefix: prefix } });
    await ready(envA);
    await ready(envB);
    const sql = `SELECT * FROM ${fx.schema}.products WHERE id = $1`;
    const fromDb = await envA.execute(sql, [1], { cache: true, namespace: 't1' });
    await envA.close(); // flushes the background L2 write
    const fromL2 = await envB.execute(sql, [1], { cache: true, namespace: 't1' });
    expect(fromDb.source).toBe('database');
    expect(fromL2.source).toBe('l2');
    expect(fromL2.rows).toEqual(fromDb.rows);
    expect(fromL2.rows[0]?.seen).toBeInstanceOf(Date);
    // Another tenant never reads it.
    expect((await envB.execute(sql, [1], { cache: true, namespace: 't2' })).source).toBe('database');
    // A write in environment B bumps the table generation in Redis: a fresh environment C misses.
    await envB.execute(`UPDATE ${fx.schema}.products SET price = 10 WHERE id = 1`);
    const envC = createQueryOptimizer(fx.pool, { redis: { url: redisUrl(), keyPrefix: prefix } });
    await ready(envC);
    const afterWrite = await envC.execute(sql, [1], { cache: true, namespace: 't1' });
    expect(afterWrite.source).toBe('database');
    expect(afterWrite.rows[0]?.price).toBe('10');
    expect(envC.getCacheStats().l2.misses).toBeGreaterThan(0);
    await envB.close();
    await envC.close();
  });

  it('treats garbage in Redis as a miss and counts it', async () => {
    const prefix = uniquePrefix();
    const optimizer = createQueryOptimizer(fx.pool, { redis: { url: redisUrl(), keyPrefix: prefix } });
    await ready(optimizer);
    const sql = `SELECT price FROM ${fx.schema}.products WHERE id = 1`;
    await optimizer.execute(sql, [], { cache: true });
    await optimizer.close();
    const keys = await redis.keys(`${prefix}v:*`);
    expect(keys.length).toBe(1);
    await redis.set(keys[0] as string, '{"v":1,"g":"not-an-array"');
    const fresh = createQueryOptimizer(fx.pool, { redis: { url: redisUrl(), keyPrefix: prefix } });
    await ready(fresh);
    const result = await fresh.execute(sql, [], { cache: true });
    expect(result.source).toBe('database');
    expect(result.rows[0]?.price).toBe('10');
    expect(fresh.getCacheStats().l2.garbage).toBe(1);
    await fresh.close();
    await redis.del(...(await redis.keys(`${prefix}*`)));
  });

  it('keeps answering within the timeout when Redis stops mid-run, and counts the failures', async () => {
    const privateRedis = startPrivateRedis();
    try {
      const optimizer = createQueryOptimizer(fx.pool, {
        redis: { url: privateRedis.redisUrl, timeoutMillis: 50, breakerMillis: 60_000 },
      });
      await ready(optimizer);
      const sql = `SELECT price FROM ${fx.schema}.products WHERE id = $1`;
      await optimizer.execute(sql, [1], { cache: true, cacheTTL: 1 });
      privateRedis.stop();
      const timings: number[] = [];
      for (let i = 0; i < 10; i++) {
        const start = performance.now();
        const r = await optimizer.execute(sql, [1], { cache: true, cacheTTL: 1, namespace: String(i) });
        timings.push(performance.now() - start);
        expect(r.rows[0]?.price).toBe('10');
      }
      await optimizer.execute(`UPDATE ${fx.schema}.products SET price = 10 WHERE id = 1`);
      const stats = optimizer.getCacheStats();
      expect(stats.l2.errors + stats.l2.skipped).toBeGreaterThan(0);
      // Fail open within the L2 budget (plus the database round trip), never a hang.
      expect(Math.max(...timings)).toBeLessThan(1_000);
      await optimizer.close();
    } finally {
      privateRedis.destroy();
    }
  });

  it('works when Redis is unreachable from the start', async () => {
    const optimizer = createQueryOptimizer(fx.pool, {
      redis: { url: 'redis://127.0.0.1:1', timeoutMillis: 30 },
    });
    expect(await optimizer.warmUp(100)).toBe(false);
    const r = await optimizer.execute(`SELECT 1 AS one`, [], { cache: true });
    const again = await optimizer.execute(`SELECT 1 AS one`, [], { cache: true });
    expect(r.rows).toEqual([{ one: 1 }]);
    expect(again.source).toBe('l1');
    await optimizer.close();
  });
});
