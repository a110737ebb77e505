/** Shared set-up of the optimizer's integration tests: a pg.Pool and a private schema per suite. */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { databaseUrl } from '../../helpers/services.js';

export interface Fixture {
  pool: pg.Pool;
  schema: string;
  /** Runs SQL directly (bypassing the optimizer). */
  sql: (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
  drop: () => Promise<void>;
}

/**
 * A pg.Pool on the shared database and a fresh schema `opt_test_<random>` (first on the pool's
 * search_path when `searchPath` is set).
 */
export async function createFixture(poolOptions: pg.PoolConfig = {}, searchPath = false): Promise<Fixture> {
  const schema = `opt_test_${randomBytes(4).toString('hex')}`;
  const pool = new pg.Pool({
    connectionString: databaseUrl(),
    application_name: schema,
    max: 6,
    ...(searchPath ? { options: `-c search_path=${schema},public` } : {}),
    ...poolOptions,
  });
  pool.on('error', () => undefined);
  await pool.query(`CREATE SCHEMA ${schema}`);
  return {
    pool,
    schema,
    sql: (text, values) => pool.query(text, values),
    drop: async () => {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    },
  };
}

/** A Redis key prefix no other test uses. */
export function uniquePrefix(): string {
  return `opt-test:${randomBytes(4).toString('hex')}:`;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
