import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseUrl } from '../../helpers/services.js';
import { adminClient, backendPids, sleep, uniqueName, waitFor } from './helpers.js';

const child = fileURLToPath(new URL('./fixtures/sigterm-child.ts', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  /** ms from SIGTERM to exit */
  exitMillis: number;
}

/** Starts the child, waits for 'ready', sends SIGTERM and times the exit. */
function runChild(env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!signalledAt && stdout.includes('ready')) {
        // let the statement reach the server first
        setTimeout(() => {
          signalledAt = Date.now();
          proc.kill('SIGTERM');
        }, 50);
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    proc.on('error', reject);
    proc.on('close', (code) => {
      clearTimeout(killer);
      if (!signalledAt)
        reject(new Error(`child exited before it was ready (${code}):\n${stdout}\n${stderr}`));
      else resolve({ code, stdout, exitMillis: Date.now() - signalledAt });
    });
  });
}

describe('the opt-in SIGTERM handler', () => {
  let admin: pg.Client;
  beforeAll(async () => {
    admin = await adminClient(databaseUrl());
  });
  afterAll(async () => {
    await admin.end();
  });

  it('drains the query in flight, closes every connection and exits 0 within the budget', async () => {
    const name = uniqueName('sigterm');
    const run = await runChild({
      DATABASE_URL: databaseUrl(),
      APP_NAME: name,
      BUDGET_MILLIS: '1000',
      QUERY_SECONDS: '0.3',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('{"done":1}');
    expect(run.stdout).toContain('pool: SIGTERM received, draining');
    expect(run.stdout).toContain('pool: drained and ended');
    expect(run.exitMillis).toBeLessThan(1000 + 300);
    expect(await waitFor(async () => (await backendPids(admin, name)).length === 0, 2000)).toBe(true);
  });

  it('cuts a query that outlasts the budget and still exits in time', async () => {
    const name = uniqueName('sigterm');
    const run = await runChild({
      DATABASE_URL: databaseUrl(),
      APP_NAME: name,
      BUDGET_MILLIS: '300',
      QUERY_SECONDS: '5',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('{"failed":"PoolClosedError"}');
    expect(run.exitMillis).toBeLessThan(300 + 300);
    // its backend ends once pg_sleep returns and finds the socket closed; the idle one at once
    await sleep(50);
    expect((await backendPids(admin, name, 'idle')).length).toBe(0);
  });
});
