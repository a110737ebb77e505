/**
 * The README example (docs/readme/pool.md), run as written against the real PostgreSQL: the code
 * block must match fixtures/readme-handler.ts (only the import path differs).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { databaseUrl } from '../../helpers/services.js';
import { uniqueName } from './helpers.js';

const readme = fileURLToPath(new URL('../../../docs/readme/pool.md', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/readme-handler.ts', import.meta.url));

describe('README example', () => {
  const schema = uniqueName('pool_readme');
  let admin: pg.Client;
  let savedUrl: string | undefined;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: databaseUrl() });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.query(`CREATE TABLE ${schema}.orders (id int PRIMARY KEY, status text NOT NULL)`);
    await admin.query(`INSERT INTO ${schema}.orders VALUES (7, 'pending')`);
    savedUrl = process.env.DATABASE_URL;
    // The handler reads DATABASE_URL; point it at this test's schema.
    const url = new URL(databaseUrl());
    url.searchParams.set('options', `-c search_path=${schema}`);
    process.env.DATABASE_URL = url.toString();
  });

  afterAll(async () => {
    process.env.DATABASE_URL = savedUrl;
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  it('is the code the README shows', () => {
    const block = /```ts\n([\s\S]*?)```/.exec(readFileSync(readme, 'utf8'))?.[1];
    expect(block).toBeDefined();
    const asFixture = (block ?? '').replace(
      "from 'lambda-perf-kit/pool'",
      "from '../../../../lambda/shared/connection-pool/index.js'",
    );
    expect(asFixture.trim()).toBe(readFileSync(fixture, 'utf8').trim());
  });

  it('reads, writes, and publishes the pool’s metrics', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const { handler } = await import('./fixtures/readme-handler.js');
      expect(await handler({ orderId: 7, status: 'shipped' })).toEqual({
        was: 'pending',
        now: 'shipped',
        pool: 'healthy',
      });
      expect(await handler({ orderId: 7, status: 'delivered' })).toEqual({
        was: 'shipped',
        now: 'delivered',
        pool: 'healthy',
      });
    } finally {
      spy.mockRestore();
    }
    expect((await admin.query(`SELECT status FROM ${schema}.orders WHERE id = 7`)).rows[0]?.status).toBe(
      'delivered',
    );
    const emf = lines.filter((line) => line.includes('PoolActiveConnections'));
    expect(emf).toHaveLength(2);
    expect(JSON.parse(emf[0] ?? '{}')).toMatchObject({ PoolQueries: 2, PoolErrors: 0 });
  });
});
