/**
 * Plans a normalized statement (`$n` placeholders, no values) as PostgreSQL's generic plan:
 * `PREPARE` + `EXPLAIN EXECUTE name(NULL, ...)` under `plan_cache_mode = force_generic_plan`.
 * No parameter value is needed, so none is kept or shown in the plan.
 */
import { randomBytes } from 'node:crypto';
import type { QueryableClient } from './types.js';

/**
 * The highest `$n` in a statement.
 *
 * @example
 * ```ts
 * maxParam('SELECT * FROM t WHERE a = $2 AND b = $1'); // 2
 * ```
 */
export function maxParam(sql: string): number {
  let max = 0;
  for (const m of sql.matchAll(/\$(\d+)/g)) max = Math.max(max, Number(m[1]));
  return max;
}

const prefix = `lpk_${randomBytes(3).toString('hex')}_`;
let seq = 0;

/**
 * `EXPLAIN (FORMAT JSON)` of the statement's generic plan, on a client whose session already has
 * `plan_cache_mode = force_generic_plan` (or with no `$n` at all). Never executes the statement.
 *
 * @example
 * ```ts
 * await client.query('SET plan_cache_mode = force_generic_plan');
 * const plan = await explainGeneric(client, 'SELECT * FROM orders WHERE customer_id = $1');
 * ```
 */
export async function explainGeneric(
  client: QueryableClient,
  sql: string,
  inTransaction = false,
): Promise<unknown> {
  const params = maxParam(sql);
  if (params === 0) return (await client.query(`EXPLAIN (FORMAT JSON) ${sql}`)).rows[0]?.['QUERY PLAN'];
  const name = `${prefix}${++seq}`;
  await client.query(`PREPARE ${name} AS ${sql}`);
  try {
    const nulls = Array.from({ length: params }, () => 'NULL').join(', ');
    return (await client.query(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${nulls})`)).rows[0]?.['QUERY PLAN'];
  } finally {
    // In a failed transaction DEALLOCATE cannot run yet: the caller rolls back first, then drops it.
    if (inTransaction) pendingFor(client).push(name);
    else await client.query(`DEALLOCATE ${name}`).catch(() => undefined);
  }
}

// Per client: a prepared statement lives on one connection, so two advisor runs at once must
// never DEALLOCATE each other's names (on the wrong connection, where they do not exist).
const pendingDeallocate = new WeakMap<QueryableClient, string[]>();

function pendingFor(client: QueryableClient): string[] {
  let names = pendingDeallocate.get(client);
  if (!names) {
    names = [];
    pendingDeallocate.set(client, names);
  }
  return names;
}

/**
 * Drops the statements {@link explainGeneric} prepared inside a transaction (call after its
 * ROLLBACK TO SAVEPOINT / ROLLBACK).
 *
 * @example
 * ```ts
 * await client.query('ROLLBACK');
 * await deallocatePending(client);
 * ```
 */
export async function deallocatePending(client: QueryableClient): Promise<void> {
  const names = pendingDeallocate.get(client) ?? [];
  while (names.length > 0) {
    const name = names.pop() as string;
    await client.query(`DEALLOCATE ${name}`).catch(() => undefined);
  }
}
