import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryOptimizer } from '../../../lambda/shared/query-optimizer/index.js';
import { createFixture, type Fixture, sleep } from './fixtures.js';

describe('query cache (L1) against PostgreSQL', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture();
    await fx.sql(`CREATE TABLE ${fx.schema}.items (id int PRIMARY KEY, tenant text, name text)`);
    await fx.sql(`INSERT INTO ${fx.schema}.items VALUES (1, 'a', 'one'), (2, 'b', 'two')`);
  });
  afterAll(async () => {
    await fx.drop();
  });

  it('serves a repeated read from L1 without touching the database', async () => {
    // Prepare
    const optimizer = createQueryOptimizer(fx.pool);
    const sql = `SELECT * FROM ${fx.schema}.items WHERE id = $1`;
    // Act
    const first = await optimizer.execute(sql, [1], { cache: true });
    const second = await optimizer.execute(sql, [1], { cache: true });
    const otherParams = await optimizer.execute(sql, [2], { cache: true });
    // Assess
    expect(first.source).toBe('database');
    expect(second.source).toBe('l1');
    expect(second.rows).toEqual(first.rows);
    expect(otherParams.source).toBe('database');
    expect(otherParams.rows[0]?.name).toBe('two');
    const stats = optimizer.getCacheStats();
    expect(stats.l1.hits).toBe(1);
    expect(stats.databaseQueries).toBe(2);
    expect(stats.l1.bytes).toBeGreaterThan(0);
    await optimizer.close();
  });

  it('shares one entry across whitespace and keyword case, not across literals', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    await optimizer.execute(`SELECT name FROM ${fx.schema}.items WHERE id = 1`, [], { cache: true });
    const spaced = await optimizer.execute(`select  name\n FROM ${fx.schema}.items   WHERE id = 1`, [], {
      cache: true,
    });
    const otherLiteral = await optimizer.execute(`SELECT name FROM ${fx.schema}.items WHERE id = 2`, [], {
      cache: true,
    });
    expect(spaced.source).toBe('l1');
    expect(otherLiteral.source).toBe('database');
    expect(otherLiteral.rows[0]?.name).toBe('two');
    await optimizer.close();
  });

  it('runs concurrent misses on one key once (single-flight)', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const sql = `SELECT *, pg_sleep(0.05) FROM ${fx.schema}.items WHERE id = $1`;
    const results = await Promise.all(
      Array.from({ length: 10 }, () => optimizer.execute(sql, [1], { cache: true })),
    );
    expect(new Set(results.map((r) => r.rows[0]?.name))).toEqual(new Set(['one']));
    expect(optimizer.getCacheStats().databaseQueries).toBe(1);
    expect(optimizer.getCacheStats().coalesced).toBe(9);
    await optimizer.close();
  });

  it('never serves one tenant another tenant’s entry', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const sql = `SELECT count(*)::int AS n FROM ${fx.schema}.items`;
    const a = await optimizer.execute(sql, [], { cache: true, namespace: { tenant: 'a', role: 'reader' } });
    // A write that bypasses the optimizer: a shared entry would hide it from tenant b.
    await fx.sql(`INSERT INTO ${fx.schema}.items VALUES (3, 'b', 'three')`);
    const b = await optimizer.execute(sql, [], { cache: true, namespace: { tenant: 'b', role: 'reader' } });
    const aAgain = await optimizer.execute(sql, [], {
      cache: true,
      namespace: { role: 'reader', tenant: 'a' },
    });
    expect(a.rows[0]?.n).toBe(2);
    expect(b.source).toBe('database');
    expect(b.rows[0]?.n).toBe(3);
    expect(aAgain.source).toBe('l1');
    await fx.sql(`DELETE FROM ${fx.schema}.items WHERE id = 3`);
    await optimizer.close();
  });

  it('expires entries after their TTL', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const sql = `SELECT name FROM ${fx.schema}.items WHERE id = $1`;
    await optimizer.execute(sql, [2], { cache: true, cacheTTL: 150 });
    const fresh = await optimizer.execute(sql, [2], { cache: true, cacheTTL: 150 });
    await sleep(250);
    const expired = await optimizer.execute(sql, [2], { cache: true, cacheTTL: 150 });
    expect(fresh.source).toBe('l1');
    expect(expired.source).toBe('database');
    await optimizer.close();
  });

  it('serves a stale entry while one refresh runs (stale-while-revalidate)', async () => {
    const optimizer = createQueryOptimizer(fx.pool, { staleWhileRevalidateMillis: 5_000 });
    const sql = `SELECT name FROM ${fx.schema}.items WHERE id = $1`;
    await optimizer.execute(sql, [1], { cache: true, cacheTTL: 100 });
    await fx.sql(`UPDATE ${fx.schema}.items SET name = 'uno' WHERE id = 1`);
    await sleep(150);
    const stale = await optimizer.execute(sql, [1], { cache: true, cacheTTL: 100 });
    await optimizer.close(); // waits for the background refresh
    const refreshed = await optimizer.execute(sql, [1], { cache: true, cacheTTL: 100 });
    expect(stale.source).toBe('l1-stale');
    expect(stale.rows[0]?.name).toBe('one');
    expect(refreshed.source).toBe('l1');
    expect(refreshed.rows[0]?.name).toBe('uno');
    expect(optimizer.getCacheStats().l1.staleServed).toBe(1);
    await fx.sql(`UPDATE ${fx.schema}.items SET name = 'one' WHERE id = 1`);
  });

  it('evicts least recently used entries past its byte budget and counts them', async () => {
    const optimizer = createQueryOptimizer(fx.pool, { l1MaxBytes: 4_000 });
    const sql = `SELECT repeat('x', 500) AS pad, $1::int AS k`;
    for (let k = 0; k < 20; k++) await optimizer.execute(sql, [k], { cache: true });
    const stats = optimizer.getCacheStats();
    expect(stats.l1.bytes).toBeLessThanOrEqual(4_000);
    expect(stats.l1.evictions).toBeGreaterThan(0);
    await optimizer.close();
  });

  it('does not cache unless asked, and never caches writes or locking reads', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const sql = `SELECT name FROM ${fx.schema}.items WHERE id = 1`;
    await optimizer.execute(sql);
    expect((await optimizer.execute(sql)).source).toBe('database');
    await optimizer.execute(`${sql} FOR UPDATE`, [], { cache: true });
    expect((await optimizer.execute(`${sql} FOR UPDATE`, [], { cache: true })).source).toBe('database');
    await optimizer.close();
  });

  it('returns the server’s error with its position for bad SQL and keeps working', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const error = await optimizer
      .execute('SELECT id FROM nowhere_at_all WHERE', [], { cache: true })
      .catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('42601');
    expect(Number(error.position)).toBeGreaterThan(0);
    const missing = await optimizer
      .execute('SELECT * FROM opt_no_such_table', [], { cache: true })
      .catch((e) => e);
    expect(missing.code).toBe('42P01');
    expect(Number(missing.position)).toBe(15);
    const ok = await optimizer.execute('SELECT 1 AS one', [], { cache: true });
    expect(ok.rows).toEqual([{ one: 1 }]);
    await optimizer.close();
  });

  it('rejects bad options naming the field, the value and the range', () => {
    expect(() => createQueryOptimizer(fx.pool, { cacheTtlMillis: -1 })).toThrow(/cacheTtlMillis.*-1/);
    expect(() => createQueryOptimizer(fx.pool, { batchConcurrency: 0 })).toThrow(RangeError);
    expect(() => createQueryOptimizer(fx.pool, { thresholds: { filterRemovedShare: 2 } })).toThrow(/0\.\.1/);
    expect(() => createQueryOptimizer({} as never)).toThrow(TypeError);
  });
});
