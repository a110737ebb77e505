import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryOptimizer } from '../../../lambda/shared/query-optimizer/index.js';
import { createFixture, type Fixture } from './fixtures.js';

describe('the optimizer never runs more than the caller asked for, and never shares tenants’ entries', () => {
  let fx: Fixture;
  let s: string;
  beforeAll(async () => {
    fx = await createFixture();
    s = fx.schema;
    await fx.sql(`CREATE TABLE ${s}.items (id int PRIMARY KEY, qty int)`);
    await fx.sql(`INSERT INTO ${s}.items SELECT g, g FROM generate_series(1, 100) g`);
    await fx.sql(`CREATE TABLE ${s}.audit (id serial PRIMARY KEY)`);
  });
  afterAll(async () => {
    await fx.drop();
  });

  const auditRows = async () =>
    Number((await fx.sql(`SELECT count(*)::int AS n FROM ${s}.audit`)).rows[0]?.n);

  it('runs a two-statement text once and does not EXPLAIN it (EXPLAIN would run the second statement again)', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const before = await auditRows();
    const result = await optimizer.execute(
      `UPDATE ${s}.items SET qty = qty + 1 WHERE id = 1; INSERT INTO ${s}.audit DEFAULT VALUES`,
      [],
      {
        explain: true,
      },
    );
    expect(await auditRows()).toBe(before + 1);
    expect(result.explain?.analyzed).toBe(false);
    expect(result.explain?.note).toMatch(/exactly one statement/);
    await optimizer.close();
  });

  it('advises on one statement at a time: a multi-statement workload item is skipped, not planned', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const before = await auditRows();
    const advice = await optimizer.suggestIndexes({
      queries: [`SELECT id FROM ${s}.items WHERE qty = 5; INSERT INTO ${s}.audit DEFAULT VALUES`],
    });
    expect(await auditRows()).toBe(before);
    expect(advice.notes.join(' ')).toMatch(/2 statements/);
    await optimizer.close();
  });

  it('keeps namespaces apart even when one value looks like two fields', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const sql = `SELECT id, qty FROM ${s}.items WHERE id = $1`;
    const a = await optimizer.execute(sql, [2], { cache: true, namespace: { tenant: 'a', user: 'b' } });
    const b = await optimizer.execute(sql, [2], { cache: true, namespace: { tenant: 'a&user=b' } });
    expect(a.source).toBe('database');
    expect(b.source).toBe('database');
    await optimizer.close();
  });

  it('invalidates the tables of a write even when the write call fails after reaching the server', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const read = `SELECT qty FROM ${s}.items WHERE id = $1`;
    await optimizer.execute(read, [3], { cache: true });
    expect((await optimizer.execute(read, [3], { cache: true })).source).toBe('l1');
    // A write whose call rejects (here: a statement that fails after the UPDATE part was planned).
    await expect(optimizer.execute(`UPDATE ${s}.items SET qty = qty / 0 WHERE id = 3`)).rejects.toThrow(
      /division by zero/,
    );
    expect((await optimizer.execute(read, [3], { cache: true })).source).toBe('database');
    await optimizer.close();
  });
});
