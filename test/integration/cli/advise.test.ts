import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleDataset } from '../../../lambda/cli/demo/dataset.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';

const run = promisify(execFile);

async function advise(args: string[], env: NodeJS.ProcessEnv = process.env) {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'lambda/cli/perf-kit.ts', 'advise', ...args],
      { env },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout: string; stderr: string; code: number };
    return { stdout: e.stdout, stderr: e.stderr, code: e.code };
  }
}

describe('perf-kit advise', () => {
  let db: ScratchDatabase;
  let dir: string;

  beforeAll(async () => {
    db = await createScratchDatabase('advise');
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await loadSampleDataset(client, { orders: 30_000, customers: 3_000, products: 300 });
    await client.end();
    dir = mkdtempSync(join(tmpdir(), 'perfkit-advise-'));
    writeFileSync(
      join(dir, 'workload.sql'),
      'SELECT id, total FROM orders WHERE customer_id = 42;\nSELECT id FROM customers WHERE email = $1;\nSELECT 1;\n',
    );
  }, 120_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('prints HypoPG-verified CREATE INDEX CONCURRENTLY statements for a workload file', async () => {
    const result = await advise(['--database-url', db.url, '--queries', join(dir, 'workload.sql')]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('(hypopg)');
    expect(result.stdout).toMatch(
      /CREATE INDEX CONCURRENTLY IF NOT EXISTS "[a-z_]+" ON "public"\."orders" \("customer_id"\);/,
    );
    expect(result.stdout).toMatch(/ON "public"\."customers" \("email"\);/);
  });

  it('rejects a bad --min-saving with what was received and what is allowed', async () => {
    const result = await advise(['--database-url', db.url, '--min-saving', '150']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("between 0 and 100; received '150'");
  });

  it('says how to give a database when none is given', async () => {
    const { DATABASE_URL: _omit, ...env } = process.env;
    const result = await advise([], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--database-url or set DATABASE_URL');
  });
});
