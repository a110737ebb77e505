import { describe, expect, it } from 'vitest';
import { createQueryOptimizer, type Queryable } from '../../../lambda/shared/query-optimizer/index.js';

function fakePool(): Queryable & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    query: async (_text, values) => {
      calls.push(values ?? []);
      return { command: 'SELECT', rowCount: 1, rows: [{ n: calls.length }], fields: [], oid: 0 };
    },
    connect: async () => {
      throw new Error('not used');
    },
  };
}

describe('cache keys', () => {
  it('never lets parameter lists that print alike share an entry', async () => {
    // Prepare
    const pool = fakePool();
    const optimizer = createQueryOptimizer(pool);
    const sql = 'SELECT $1::text AS a, $2::text AS b';
    const lists: unknown[][] = [
      ['a|b', null],
      ['a', 'b'],
      ['a', '|b'],
      [1, null],
      ['1', null],
      [true, null],
      [null, null],
      [undefined, null],
      [{ x: 1 }, null],
      ['{"x":1}', null],
      [new Date(0), null],
      [1n, null],
    ];
    // Act
    for (const params of lists) await optimizer.execute(sql, params, { cache: true });
    for (const params of lists) await optimizer.execute(sql, params, { cache: true });
    // Assess
    expect(pool.calls.length).toBe(lists.length);
    expect(optimizer.getCacheStats().l1.hits).toBe(lists.length);
    await optimizer.close();
  });

  it('keeps namespaces apart and treats namespace objects by content, not key order', async () => {
    const pool = fakePool();
    const optimizer = createQueryOptimizer(pool);
    await optimizer.execute('SELECT 1', [], { cache: true, namespace: { tenant: 'a', role: 'r' } });
    await optimizer.execute('SELECT 1', [], { cache: true, namespace: { role: 'r', tenant: 'a' } });
    await optimizer.execute('SELECT 1', [], { cache: true, namespace: { tenant: 'b', role: 'r' } });
    await optimizer.execute('SELECT 1', [], { cache: true });
    expect(pool.calls.length).toBe(3);
    await optimizer.close();
  });

  it('rejects a missing SQL text or non-array params with a TypeError', async () => {
    const optimizer = createQueryOptimizer(fakePool());
    await expect(optimizer.execute('')).rejects.toThrow(TypeError);
    await expect(optimizer.execute('SELECT 1', 'x' as never)).rejects.toThrow(/params must be an array/);
    await expect(optimizer.execute('SELECT 1', [], { cacheTTL: -1 })).rejects.toThrow(/cacheTTL.*-1/);
  });
});
