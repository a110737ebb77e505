import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchTransactionError, createQueryOptimizer } from '../../../lambda/shared/query-optimizer/index.js';
import { createFixture, type Fixture, sleep } from './fixtures.js';

describe('invalidation on writes through execute', () => {
  let fx: Fixture;
  let s: string;
  beforeAll(async () => {
    fx = await createFixture();
    s = fx.schema;
    await fx.sql(`CREATE TABLE ${s}.customers (id int PRIMARY KEY, name text)`);
    await fx.sql(`CREATE TABLE ${s}.orders (id int PRIMARY KEY, customer_id int, total numeric)`);
    await fx.sql(`CREATE TABLE ${s}."Order Lines" ("Order Id" int, qty int)`);
    await fx.sql(`INSERT INTO ${s}.customers VALUES (1, 'ann'), (2, 'bob')`);
    await fx.sql(`INSERT INTO ${s}.orders VALUES (10, 1, 5), (11, 2, 7)`);
    await fx.sql(`INSERT INTO ${s}."Order Lines" VALUES (10, 1), (11, 2)`);
  });
  afterAll(async () => {
    await fx.drop();
  });

  it('drops a cached join when either joined table is written', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const join = `SELECT c.name, o.total FROM ${s}.orders o JOIN ${s}.customers c ON c.id = o.customer_id WHERE o.id = $1`;
    await optimizer.execute(join, [10], { cache: true });
    expect((await optimizer.execute(join, [10], { cache: true })).source).toBe('l1');
    await optimizer.execute(`UPDATE ${s}.customers SET name = $1 WHERE id = $2`, ['anna', 1]);
    const afterCustomers = await optimizer.execute(join, [10], { cache: true });
    expect(afterCustomers.source).toBe('database');
    expect(afterCustomers.rows[0]?.name).toBe('anna');
    await optimizer.execute(`UPDATE ${s}.orders SET total = 6 WHERE id = 10`);
    const afterOrders = await optimizer.execute(join, [10], { cache: true });
    expect(afterOrders.rows[0]?.total).toBe('6');
    await optimizer.close();
  });

  it('drops a cached CTE / subquery read when a table inside it is written', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const cte = `WITH big AS (SELECT customer_id FROM ${s}.orders WHERE total > 6)
                 SELECT name FROM ${s}.customers WHERE id IN (SELECT customer_id FROM big) ORDER BY name`;
    const before = await optimizer.execute(cte, [], { cache: true });
    expect(before.rows.map((r) => r.name)).toEqual(['bob']);
    await optimizer.execute(`UPDATE ${s}.orders SET total = 100 WHERE id = 10`);
    const after = await optimizer.execute(cte, [], { cache: true });
    expect(after.source).toBe('database');
    expect(after.rows.map((r) => r.name)).toEqual(['anna', 'bob']);
    await optimizer.close();
  });

  it('matches schema-qualified, unqualified and quoted names (a write in a CTE counts)', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const read = `SELECT sum(qty)::int AS q FROM ${s}."Order Lines"`;
    await optimizer.execute(read, [], { cache: true });
    await optimizer.execute(
      `WITH moved AS (UPDATE "${s}"."Order Lines" SET qty = qty + 1 WHERE "Order Id" = 10 RETURNING 1) SELECT count(*) FROM moved`,
    );
    const after = await optimizer.execute(read, [], { cache: true });
    expect(after.source).toBe('database');
    expect(after.rows[0]?.q).toBe(4);
    // Unqualified write (search_path) reaches a schema-qualified cached read.
    const client = await fx.pool.connect();
    try {
      await client.query(`SET search_path = ${s}`);
      const viaClient = createQueryOptimizer({
        query: (text, values) => client.query(text as string, values),
        connect: () => fx.pool.connect(),
      });
      await viaClient.execute(read, [], { cache: true });
      await viaClient.execute(`DELETE FROM "Order Lines" WHERE "Order Id" = 11`);
      const gone = await viaClient.execute(read, [], { cache: true });
      expect(gone.source).toBe('database');
      expect(gone.rows[0]?.q).toBe(2);
      await viaClient.close();
    } finally {
      await client.query('RESET search_path');
      client.release();
    }
    await optimizer.close();
  });

  it('does not let a read that started before a write commit re-cache the old row', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const slowRead = `SELECT name, pg_sleep(0.3) IS NULL AS slept FROM ${s}.customers WHERE id = 2`;
    const reading = optimizer.execute(slowRead, [], { cache: true });
    await sleep(80);
    await optimizer.execute(`UPDATE ${s}.customers SET name = 'robert' WHERE id = 2`);
    const old = await reading;
    const next = await optimizer.execute(slowRead, [], { cache: true });
    expect(old.rows[0]?.name).toBe('bob');
    expect(next.source).toBe('database');
    expect(next.rows[0]?.name).toBe('robert');
    await optimizer.close();
  });

  it('invalidates after a batch transaction commits, and not on rollback', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const read = `SELECT name FROM ${s}.customers WHERE id = 1`;
    await optimizer.execute(read, [], { cache: true });
    const failing = await optimizer
      .batchExecute(
        [
          { sql: `UPDATE ${s}.customers SET name = 'zzz' WHERE id = 1` },
          { sql: `INSERT INTO ${s}.customers VALUES (1, 'duplicate')` },
        ],
        { transaction: true },
      )
      .catch((e) => e);
    expect(failing).toBeInstanceOf(BatchTransactionError);
    expect(failing.index).toBe(1);
    expect(failing.cause.code).toBe('23505');
    expect((await optimizer.execute(read, [], { cache: true })).source).toBe('l1');
    const results = await optimizer.batchExecute(
      [
        { sql: `UPDATE ${s}.customers SET name = $1 WHERE id = 1`, params: ['ann'] },
        { sql: `SELECT name FROM ${s}.customers WHERE id = 1` },
      ],
      { transaction: true },
    );
    expect(results[1]?.rows[0]?.name).toBe('ann');
    const after = await optimizer.execute(read, [], { cache: true });
    expect(after.source).toBe('database');
    expect(after.rows[0]?.name).toBe('ann');
    await optimizer.close();
  });

  it('runs a batch with bounded concurrency and keeps the order of results', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const statements = Array.from({ length: 12 }, (_, i) => ({
      sql: `SELECT $1::int AS i, (SELECT count(*) FROM pg_stat_activity WHERE application_name = current_setting('application_name') AND state = 'active')::int AS active`,
      params: [i],
    }));
    const results = await optimizer.batchExecute(statements, { concurrency: 2 });
    expect(results.map((r) => r.rows[0]?.i)).toEqual(statements.map((_, i) => i));
    expect(Math.max(...results.map((r) => r.rows[0]?.active as number))).toBeLessThanOrEqual(2);
    await optimizer.close();
  });

  it('drops cached reads on invalidateTables for names written as in SQL', async () => {
    const optimizer = createQueryOptimizer(fx.pool);
    const lines = `SELECT count(*)::int AS n FROM ${s}."Order Lines"`;
    const customers = `SELECT count(*)::int AS n FROM ${s}.customers`;
    await optimizer.execute(lines, [], { cache: true });
    await optimizer.execute(customers, [], { cache: true });
    await optimizer.invalidateTables([`"${s}"."Order Lines"`, `${s}.CUSTOMERS`]);
    expect((await optimizer.execute(lines, [], { cache: true })).source).toBe('database');
    expect((await optimizer.execute(customers, [], { cache: true })).source).toBe('database');
    await optimizer.close();
  });
});
