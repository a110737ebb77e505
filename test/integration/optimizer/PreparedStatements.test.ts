import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryOptimizer } from '../../../lambda/shared/query-optimizer/index.js';
import { createFixture, type Fixture } from './fixtures.js';

describe('named prepared statements for hot queries', () => {
  let fx: Fixture;
  beforeAll(async () => {
    // One connection, so pg_prepared_statements shows what the optimizer prepared on it.
    fx = await createFixture({ max: 1 });
  });
  afterAll(async () => {
    await fx.drop();
  });

  const prepared = async (): Promise<string[]> =>
    (
      await fx.sql(`SELECT name FROM pg_prepared_statements WHERE name LIKE 'lpk_opt_%' ORDER BY name`)
    ).rows.map((r) => r.name as string);

  it('prepares a statement once it is hot, keeps at most the bound, and drops the evicted one', async () => {
    const optimizer = createQueryOptimizer(fx.pool, {
      preparedStatementThreshold: 2,
      maxPreparedStatements: 1,
    });
    await optimizer.execute('SELECT $1::int + 1 AS a', [1]);
    expect(await prepared()).toEqual([]);
    const hot = await optimizer.execute('SELECT $1::int + 1 AS a', [2]);
    expect(hot.rows[0]?.a).toBe(3);
    const first = await prepared();
    expect(first).toHaveLength(1);
    // A second hot statement evicts the first (bound 1): it is deallocated.
    await optimizer.execute('SELECT $1::int * 2 AS b', [2]);
    const other = await optimizer.execute('SELECT $1::int * 2 AS b', [3]);
    expect(other.rows[0]?.b).toBe(6);
    await optimizer.close();
    const second = await prepared();
    expect(second).toHaveLength(1);
    expect(second).not.toEqual(first);
    // The evicted statement still runs (re-prepared under a new name when hot again).
    expect((await optimizer.execute('SELECT $1::int + 1 AS a', [5])).rows[0]?.a).toBe(6);
  });
});
