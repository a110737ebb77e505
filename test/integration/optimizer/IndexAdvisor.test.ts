import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryOptimizer } from '../../../lambda/shared/query-optimizer/index.js';
import { databaseUrl } from '../../helpers/services.js';
import { createFixture, type Fixture } from './fixtures.js';

async function seed(run: (sql: string) => Promise<unknown>, s: string): Promise<void> {
  await run(`CREATE TABLE ${s}.customers (id int PRIMARY KEY, email text, country text)`);
  await run(
    `CREATE TABLE ${s}.orders (id int PRIMARY KEY, customer_id int, status text, created_at timestamptz)`,
  );
  await run(`CREATE TABLE ${s}."Line Items" (id int PRIMARY KEY, "Order Id" int, "Sku Code" text)`);
  await run(
    `INSERT INTO ${s}.customers SELECT g, 'c' || g || '@x.io', (ARRAY['de','fr','us','jp'])[1 + g % 4] FROM generate_series(1, 20000) g`,
  );
  await run(
    `INSERT INTO ${s}.orders SELECT g, 1 + g % 20000, (ARRAY['new','paid','shipped','void'])[1 + g % 4], now() - (g || ' minutes')::interval FROM generate_series(1, 60000) g`,
  );
  await run(
    `INSERT INTO ${s}."Line Items" SELECT g, 1 + g % 60000, 'sku-' || (g % 5000) FROM generate_series(1, 60000) g`,
  );
  await run(`CREATE INDEX ON ${s}.customers (country)`);
  await run(`ANALYZE ${s}.customers, ${s}.orders, ${s}."Line Items"`);
}

function workload(s: string): Array<[string, unknown[]]> {
  return [
    [`SELECT * FROM ${s}.orders WHERE customer_id = $1`, [42]],
    [`SELECT id FROM ${s}.customers WHERE email = $1`, ['c7@x.io']],
    [`SELECT * FROM ${s}."Line Items" WHERE "Order Id" = $1`, [77]],
    [`SELECT count(*) FROM ${s}.customers WHERE country = $1`, ['de']],
    [
      `SELECT o.id FROM ${s}.orders o JOIN ${s}.customers c ON c.id = o.customer_id WHERE c.email = $1`,
      ['c9@x.io'],
    ],
  ];
}

describe('index advisor with HypoPG', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture();
    await seed((sql) => fx.sql(sql), fx.schema);
  });
  afterAll(async () => {
    await fx.drop();
  });

  it('suggests verified, quoted CREATE INDEX CONCURRENTLY statements that make the queries faster', async () => {
    const s = fx.schema;
    const optimizer = createQueryOptimizer(fx.pool, { slowQueryMillis: 0, explainSlowQueries: false });
    const timeWorkload = async (): Promise<number> => {
      const start = performance.now();
      for (let i = 0; i < 5; i++) for (const [sql, params] of workload(s)) await fx.sql(sql, params);
      return performance.now() - start;
    };
    for (const [sql, params] of workload(s)) await optimizer.execute(sql, params);
    await optimizer.close();
    const before = await timeWorkload();

    const advice = await optimizer.suggestIndexes();

    expect(advice.method).toBe('hypopg');
    expect(advice.queriesAnalyzed).toBe(5);
    const byColumns = advice.suggestions.map((x) => `${x.table}(${x.columns.join(',')})`).sort();
    expect(byColumns).toEqual(['Line Items(Order Id)', 'customers(email)', 'orders(customer_id)']);
    const quoted = advice.suggestions.find((x) => x.table === 'Line Items');
    expect(quoted?.statement).toBe(
      `CREATE INDEX CONCURRENTLY IF NOT EXISTS "line_items_order_id_idx" ON "${s}"."Line Items" ("Order Id")`,
    );
    for (const x of advice.suggestions) {
      expect(x.saving).toBeGreaterThanOrEqual(0.5);
      for (const q of x.queries) expect(q.costAfter).toBeLessThan(q.costBefore / 2);
    }
    // The country index already exists: never suggested again.
    expect(advice.suggestions.some((x) => x.columns[0] === 'country')).toBe(false);
    // The hypothetical indexes are gone.
    const hypo = await fx.sql('SELECT count(*)::int AS n FROM hypopg_list_indexes');
    expect(hypo.rows[0]?.n).toBe(0);

    for (const x of advice.suggestions) await fx.sql(x.statement);
    const after = await timeWorkload();
    expect(after).toBeLessThan(before);
  });
});

describe('index advisor without HypoPG', () => {
  const dbName = `opt_test_nohypo_${randomBytes(4).toString('hex')}`;
  let admin: pg.Pool;
  let pool: pg.Pool;
  beforeAll(async () => {
    admin = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    await admin.query(`CREATE DATABASE ${dbName}`);
    const url = new URL(databaseUrl());
    url.pathname = `/${dbName}`;
    pool = new pg.Pool({ connectionString: url.toString(), max: 3 });
    await seed((sql) => pool.query(sql), 'public');
  });
  afterAll(async () => {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  });

  it('says HypoPG is missing, lists unverified candidates, and verifies with real indexes only when asked', async () => {
    const optimizer = createQueryOptimizer(pool);
    const queries = workload('public').map(([sql]) => sql);

    const plain = await optimizer.suggestIndexes({ queries });
    const checked = await optimizer.suggestIndexes({ queries, verifyWithRealIndexes: true });

    expect(plain.method).toBe('none');
    expect(plain.suggestions).toEqual([]);
    expect(plain.notes[0]).toMatch(/HypoPG is not installed.*verifyWithRealIndexes/);
    expect(plain.notes.some((n) => n.startsWith('unverified candidate: public.orders (customer_id)'))).toBe(
      true,
    );
    expect(checked.method).toBe('real-index-rolled-back');
    expect(checked.suggestions.map((x) => x.columns.join(',')).sort()).toEqual([
      'Order Id',
      'customer_id',
      'email',
    ]);
    const left = await pool.query(
      `SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = 'public' AND indexname LIKE 'lpk_adv%'`,
    );
    expect(left.rows[0]?.n).toBe(0);
    await optimizer.close();
  });
});
