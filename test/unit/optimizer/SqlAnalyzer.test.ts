import { describe, expect, it } from 'vitest';
import { analyzeSqlWith, loadSqlParser } from '../../../lambda/shared/query-optimizer/SqlAnalyzer.js';

describe('SQL analysis with the PostgreSQL parser', () => {
  it('finds tables in joins, subqueries, CTEs, schema-qualified and quoted names', async () => {
    const pg = await loadSqlParser();
    const info = analyzeSqlWith(
      pg,
      `WITH x AS (SELECT * FROM "Sales"."Order Lines" l JOIN public.products p ON p.id = l.pid)
       SELECT * FROM x JOIN customers c ON c.id = x.cid WHERE c.id IN (SELECT customer_id FROM "Orders")`,
    );
    expect(info.readOnly).toBe(true);
    expect(new Set(info.tables)).toEqual(new Set(['Order Lines', 'products', 'customers', 'Orders', 'x']));
    expect(info.relations).toContainEqual({ schema: 'Sales', name: 'Order Lines' });
  });

  it('treats writes, writing CTEs, locking reads and SELECT INTO as not cacheable', async () => {
    const pg = await loadSqlParser();
    for (const sql of [
      'UPDATE a SET x = 1',
      'WITH d AS (DELETE FROM a RETURNING *) SELECT * FROM d',
      'SELECT * FROM a FOR UPDATE',
      'SELECT * INTO b FROM a',
      'SELECT 1; SELECT 2',
    ]) {
      expect(analyzeSqlWith(pg, sql).readOnly, sql).toBe(false);
    }
    expect(analyzeSqlWith(pg, 'INSERT INTO "S"."T" SELECT * FROM u').tables).toEqual(['T', 'u']);
  });

  it('marks statements it cannot attribute to tables as unknown effects, and bad SQL as unparsed', async () => {
    const pg = await loadSqlParser();
    expect(analyzeSqlWith(pg, 'CALL do_things()').unknownEffects).toBe(true);
    expect(analyzeSqlWith(pg, 'SET work_mem = 1000').unknownEffects).toBe(false);
    expect(analyzeSqlWith(pg, 'SELEC 1').parseFailed).toBe(true);
  });

  it('normalizes whitespace, comments and keyword case but keeps literals', async () => {
    const pg = await loadSqlParser();
    const a = analyzeSqlWith(pg, "SELECT  *\nFROM t -- note\n WHERE a = 'x  y'").normalized;
    const b = analyzeSqlWith(pg, "select * from t where a = 'x  y'").normalized;
    const c = analyzeSqlWith(pg, "select * from t where a = 'x y'").normalized;
    expect(a).toBe(b);
    expect(a).not.toBe(c);
  });
});
