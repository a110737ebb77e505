import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryOptimizer } from '../../../lambda/shared/query-optimizer/index.js';
import { createFixture, type Fixture } from './fixtures.js';

describe('EXPLAIN analysis and the slow-query log', () => {
  let fx: Fixture;
  let s: string;
  beforeAll(async () => {
    // Tiny work_mem so sorts spill to disk.
    fx = await createFixture({ options: '-c work_mem=64kB' });
    s = fx.schema;
    await fx.sql(`CREATE TABLE ${s}.events (id int PRIMARY KEY, kind int, payload text)`);
    await fx.sql(`INSERT INTO ${s}.events SELECT g, g % 50, md5(g::text) FROM generate_series(1, 30000) g`);
    await fx.sql(`CREATE TABLE ${s}.audit (id serial PRIMARY KEY, note text)`);
    await fx.sql(`ANALYZE ${s}.events`);
    await fx.sql(
      `CREATE FUNCTION ${s}.touch() RETURNS int LANGUAGE sql AS $$ INSERT INTO ${s}.audit(note) VALUES ('x') RETURNING id $$`,
    );
  });
  afterAll(async () => {
    await fx.drop();
  });

  it('reports a large seq scan and a filter that removes most rows, with numbers and a fix', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const r = await optimizer.execute(`SELECT count(*) FROM ${s}.events WHERE kind = $1`, [7], {
      explain: true,
    });
    expect(r.rows[0]?.count).toBe('600');
    expect(r.explain?.analyzed).toBe(true);
    const kinds = r.explain?.findings.map((f) => f.kind) ?? [];
    expect(kinds).toContain('seq-scan');
    expect(kinds).toContain('rows-removed-by-filter');
    const seq = r.explain?.findings.find((f) => f.kind === 'seq-scan');
    expect(seq?.node).toBe('Seq Scan on events');
    expect(seq?.numbers.rowsScanned).toBe(30000);
    expect(seq?.fix).toMatch(/index/);
    await optimizer.close();
  });

  it('reports a sort spilling to disk and suggests work_mem', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const r = await optimizer.execute(`SELECT payload FROM ${s}.events ORDER BY payload`, [], {
      explain: true,
    });
    const spill = r.explain?.findings.find((f) => f.kind === 'disk-spill');
    expect(spill?.fix).toMatch(/work_mem = '\d+MB'/);
    expect(spill?.numbers.diskKb).toBeGreaterThan(0);
    await optimizer.close();
  });

  it('reports a row misestimate with its factor', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    // Correlated predicates: the planner multiplies selectivities and underestimates.
    const r = await optimizer.execute(
      `SELECT count(*) FROM ${s}.events WHERE kind = 1 AND id % 50 = 1 AND payload IS NOT NULL AND id > 0 AND (id % 50) + kind = 2`,
      [],
      { explain: true },
    );
    const mis = r.explain?.findings.find((f) => f.kind === 'row-misestimate');
    expect(mis?.numbers.bucket).toBeGreaterThanOrEqual(10);
    await optimizer.close();
  });

  it('never executes a write to EXPLAIN it', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const count = async () => Number((await fx.sql(`SELECT count(*) FROM ${s}.audit`)).rows[0]?.count);
    // A write: plain EXPLAIN unless allowed; the statement itself runs once.
    const insert = await optimizer.execute(`INSERT INTO ${s}.audit(note) VALUES ($1)`, ['one'], {
      explain: true,
    });
    expect(insert.explain?.analyzed).toBe(false);
    expect(insert.explain?.note).toMatch(/ANALYZE skipped/);
    expect(await count()).toBe(1);
    // Allowed: ANALYZE inside a transaction that is rolled back.
    const allowed = await optimizer.execute(`UPDATE ${s}.audit SET note = 'two'`, [], {
      explain: { allowWrites: true },
    });
    expect(allowed.explain?.analyzed).toBe(true);
    expect(await count()).toBe(1);
    // A SELECT calling a function that writes: ANALYZE runs READ ONLY, so the function cannot write.
    const sneaky = await optimizer.execute(`SELECT ${s}.touch()`, [], { explain: true });
    expect(sneaky.explain?.analyzed).toBe(false);
    expect(sneaky.explain?.note).toMatch(/read-only transaction/);
    expect(await count()).toBe(2);
    await optimizer.close();
  });

  it('groups slow queries by shape, never stores parameter values, and keeps the last findings', async () => {
    const optimizer = createQueryOptimizer(fx.pool, { slowQueryMillis: 0 });
    const secret = 'hunter2-secret-value';
    await optimizer.execute(`SELECT count(*) FROM ${s}.events WHERE kind = 3 AND payload <> $1`, [secret]);
    await optimizer.execute(`SELECT count(*) FROM ${s}.events WHERE kind = 4 AND payload <> $1`, [secret]);
    await optimizer.execute(
      `SELECT   count(*) FROM ${s}.events WHERE kind = 5 AND payload <> 'literal-secret'`,
    );
    await optimizer.close(); // background fingerprinting / EXPLAIN done
    const slow = await optimizer.getSlowQueries();
    const entry = slow.find((e) => e.normalizedSql.includes('payload <>'));
    expect(entry?.count).toBe(3);
    expect(entry?.normalizedSql).toMatch(
      /^SELECT count\(\*\) FROM opt_test_\w+\.events WHERE kind = \$\d AND payload <> \$\d$/,
    );
    expect(entry?.p95Millis).toBeGreaterThan(0);
    expect(entry?.maxMillis).toBeGreaterThanOrEqual(entry?.meanMillis ?? 0);
    expect(entry?.lastFindings.map((f) => f.kind)).toContain('seq-scan');
    const serialized = JSON.stringify(slow);
    expect(serialized).not.toContain(secret);
    expect(serialized).not.toContain('literal-secret');
  });

  it('reads pg_stat_statements when asked', async () => {
    const optimizer = createQueryOptimizer(fx.pool, { slowQueryMillis: 0 });
    await optimizer.execute(`SELECT count(*) FROM ${s}.events WHERE kind = 9`);
    const slow = await optimizer.getSlowQueries({ includePgStatStatements: true, limit: 500 });
    expect(slow.some((e) => e.source === 'pg_stat_statements')).toBe(true);
    await optimizer.close();
  });
});
