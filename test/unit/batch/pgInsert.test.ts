import { describe, expect, it, vi } from 'vitest';
import {
  buildMultiRowInsert,
  PG_MAX_PARAMS,
  pgInsertWriteFn,
  quoteIdentifier,
} from '../../../lambda/shared/batch-processor/index.js';

describe('buildMultiRowInsert', () => {
  it('builds a parameterized multi-row INSERT with quoted identifiers', () => {
    const [stmt, ...rest] = buildMultiRowInsert(
      'app.events',
      ['id', 'Kind'],
      [{ id: 1, Kind: 'a' }, [2, 'b']],
    );
    expect(rest).toEqual([]);
    expect(stmt?.text).toBe('INSERT INTO "app"."events" ("id","Kind") VALUES ($1,$2),($3,$4)');
    expect(stmt?.values).toEqual([1, 'a', 2, 'b']);
  });

  it('quotes embedded double quotes', () => {
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
  });

  it('splits so that no statement exceeds 65,535 parameters', () => {
    const rows = Array.from({ length: 40_000 }, (_, i) => [i, i]);
    const statements = buildMultiRowInsert('t', ['a', 'b'], rows);
    expect(statements).toHaveLength(2);
    expect(statements[0]?.values.length).toBeLessThanOrEqual(PG_MAX_PARAMS);
    expect(statements.reduce((n, s) => n + s.values.length, 0)).toBe(80_000);
  });

  it('appends a suffix such as ON CONFLICT', () => {
    const [stmt] = buildMultiRowInsert('t', ['a'], [[1]], { suffix: 'ON CONFLICT DO NOTHING' });
    expect(stmt?.text).toBe('INSERT INTO "t" ("a") VALUES ($1) ON CONFLICT DO NOTHING');
  });
});

describe('pgInsertWriteFn', () => {
  it('runs the statements through query and reports the items of a failed statement', async () => {
    const query = vi.fn().mockRejectedValueOnce(new Error('unique_violation'));
    const write = pgInsertWriteFn({ query }, 't', ['a']);
    const result = await write([{ a: 1 }, { a: 2 }]);
    expect(query).toHaveBeenCalledWith('INSERT INTO "t" ("a") VALUES ($1),($2)', [1, 2]);
    expect((result as unknown as { failed: Array<{ item: unknown }> }).failed.map((f) => f.item)).toEqual([
      { a: 1 },
      { a: 2 },
    ]);
  });

  it('rejects a db without query()', () => {
    expect(() => pgInsertWriteFn({} as never, 't', ['a'])).toThrow(/pg-compatible query/);
  });
});
