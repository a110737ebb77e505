import type { WriteFn } from './BatchWriter.js';
import { PG_MAX_PARAMS } from './constants.js';

/** Anything with a pg-compatible `query(text, values)`: a `pg.Pool`, a `pg.Client`, the toolkit's pool. */
export interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

/** A parameterized statement. */
export interface SqlStatement {
  text: string;
  values: unknown[];
}

/** Options of {@link buildMultiRowInsert} and {@link pgInsertWriteFn}. */
export interface MultiRowInsertOptions {
  /**
   * SQL appended after VALUES, e.g. `'ON CONFLICT (id) DO NOTHING'`. Written by you, never from input.
   * @default - none
   */
  suffix?: string;
}

/**
 * Quotes an identifier for PostgreSQL (`"a""b"`); `schema.table` is split on the dot.
 *
 * @example
 * ```ts
 * import { quoteIdentifier } from 'lambda-perf-kit/batch';
 * quoteIdentifier('public.demo_events'); // '"public"."demo_events"'
 * ```
 */
export function quoteIdentifier(name: string): string {
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`quoteIdentifier: expected a non-empty string; received ${String(name)}`);
  }
  return name
    .split('.')
    .map((part) => `"${part.replaceAll('"', '""')}"`)
    .join('.');
}

/**
 * Builds `INSERT INTO "table" ("a","b") VALUES ($1,$2),($3,$4)...` statements for `rows`, split so no
 * statement has more than 65,535 parameters. Rows are objects (read by column name) or arrays (by
 * position).
 *
 * @example
 * ```ts
 * import { buildMultiRowInsert } from 'lambda-perf-kit/batch';
 * const [stmt] = buildMultiRowInsert('events', ['id', 'kind'], [{ id: 1, kind: 'a' }, { id: 2, kind: 'b' }]);
 * // stmt.text: INSERT INTO "events" ("id","kind") VALUES ($1,$2),($3,$4)
 * await pool.query(stmt.text, stmt.values);
 * ```
 */
export function buildMultiRowInsert(
  table: string,
  columns: readonly string[],
  rows: ReadonlyArray<Record<string, unknown> | readonly unknown[]>,
  options: MultiRowInsertOptions = {},
): SqlStatement[] {
  if (!Array.isArray(columns) || columns.length === 0) {
    throw new TypeError(
      `buildMultiRowInsert: columns must be a non-empty array; received ${String(columns)}`,
    );
  }
  if (columns.length > PG_MAX_PARAMS) {
    throw new RangeError(`buildMultiRowInsert: ${columns.length} columns exceed ${PG_MAX_PARAMS} parameters`);
  }
  const head = `INSERT INTO ${quoteIdentifier(table)} (${columns.map(quoteIdentifier).join(',')}) VALUES `;
  const tail = options.suffix ? ` ${options.suffix}` : '';
  const rowsPerStatement = Math.floor(PG_MAX_PARAMS / columns.length);
  const statements: SqlStatement[] = [];
  for (let start = 0; start < rows.length; start += rowsPerStatement) {
    const slice = rows.slice(start, start + rowsPerStatement);
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const row of slice) {
      const placeholders: string[] = [];
      for (let c = 0; c < columns.length; c++) {
        values.push(Array.isArray(row) ? row[c] : (row as Record<string, unknown>)[columns[c] as string]);
        placeholders.push(`$${values.length}`);
      }
      tuples.push(`(${placeholders.join(',')})`);
    }
    statements.push({ text: head + tuples.join(',') + tail, values });
  }
  return statements;
}

/**
 * A write function for {@link createBatchWriter} that inserts each chunk with multi-row INSERTs
 * through any pg-compatible `query` (pool, client, the toolkit's pool). A failed statement fails the
 * items of that statement (a chunk larger than 65,535 parameters is split over several statements).
 *
 * @example
 * ```ts
 * import { createBatchWriter, pgInsertWriteFn } from 'lambda-perf-kit/batch';
 * const writer = createBatchWriter(pgInsertWriteFn(pool, 'demo_events', ['message_id', 'body']), { maxBatchSize: 200 });
 * ```
 */
export function pgInsertWriteFn<T extends Record<string, unknown> | readonly unknown[]>(
  db: Queryable,
  table: string,
  columns: readonly string[],
  options: MultiRowInsertOptions = {},
): WriteFn<T> {
  if (typeof db?.query !== 'function') {
    throw new TypeError('pgInsertWriteFn: db must have a pg-compatible query(text, values) method');
  }
  buildMultiRowInsert(table, columns, [], options); // validates eagerly
  const rowsPerStatement = Math.floor(PG_MAX_PARAMS / columns.length);
  return async (items) => {
    const statements = buildMultiRowInsert(table, columns, items, options);
    const failed: Array<{ item: T; error: unknown }> = [];
    for (let s = 0; s < statements.length; s++) {
      const statement = statements[s] as SqlStatement;
      try {
        await db.query(statement.text, statement.values);
      } catch (error) {
        for (const item of items.slice(s * rowsPerStatement, (s + 1) * rowsPerStatement)) {
          failed.push({ item, error });
        }
      }
    }
    return { failed };
  };
}
