import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'libpg-query';
import pg from 'pg';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoReport } from '../../../lambda/cli/demo/report.js';
import { databaseUrl, redisUrl } from '../../helpers/services.js';

const run = promisify(execFile);
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT_DIR = join(process.cwd(), 'test-output');

async function runDemo(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--import', 'tsx', 'lambda/cli/perf-kit.ts', 'demo', ...args],
      {
        env,
        maxBuffer: 32 * 1024 * 1024,
        timeout: 300_000,
      },
    );
    return { stdout, stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
  }
}

describe('npm start (the demo) end to end', () => {
  let dir: string;
  let report: DemoReport;
  let result: { stdout: string; stderr: string; code: number };

  // The demo gets a database of its own on the test server, so its dataset never meets other suites' tables.
  const database = `perfkit_demo_${process.pid}`;
  const admin = new pg.Client({ connectionString: databaseUrl() });
  const demoUrl = new URL(databaseUrl());
  demoUrl.pathname = `/${database}`;

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    const demoDb = new pg.Client({ connectionString: demoUrl.toString() });
    await demoDb.connect();
    await demoDb.query('CREATE EXTENSION IF NOT EXISTS hypopg');
    await demoDb.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await demoDb.end();
    dir = mkdtempSync(join(tmpdir(), 'perfkit-demo-'));
    result = await runDemo(
      [
        '--rows',
        '20000',
        '--messages',
        '200',
        '--json',
        join(dir, 'report.json'),
        '--html',
        join(dir, 'report.html'),
        '--quiet',
      ],
      { ...process.env, DATABASE_URL: demoUrl.toString(), REDIS_URL: redisUrl() },
    );
    if (existsSync(join(dir, 'report.json')))
      report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
  }, 300_000);

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  });

  it('exits 0 and prints the report', () => {
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('lambda-perf-kit demo report');
  });

  it('writes report.json with every section, each with a one-sentence summary and no warnings of failure', () => {
    const titles = report.sections.map((s) => s.title);
    expect(titles[0]).toBe('Sample dataset');
    for (const section of report.sections) {
      expect(section.summary.length).toBeGreaterThan(20);
      expect(section.summary).not.toMatch(/section failed/);
    }
    expect(report.sections[0]?.figures['orders rows']).toBe(20000);
  });

  it('reports numbers in sane ranges', () => {
    const figures = Object.fromEntries(report.sections.map((s) => [s.title, s.figures]));
    const optimizer = figures['Query optimizer'] ?? {};
    const handlers = figures['Example handlers (API read path, maintenance)'] ?? {};
    const batch = figures['SQS batch processing'] ?? {};
    expect(Number(optimizer['L1 hit speed-up (×)'])).toBeGreaterThan(1);
    expect(Number(handlers['warm p50 (ms)'])).toBeGreaterThan(0);
    expect(Number(handlers['warm p50 (ms)'])).toBeLessThan(Number(handlers['cold p50, split (ms)']));
    expect(Number(handlers['init p50 split / eager'])).toBeLessThan(1);
    expect(Number(handlers['cache hit rate (%)'])).toBeGreaterThan(0);
    expect(Number(handlers['cache hit rate (%)'])).toBeLessThanOrEqual(100);
    expect(batch.lost).toBe(0);
    const worker = figures['Example SQS worker'] ?? {};
    expect(worker.lost).toBe(0);
    expect(worker['in DLQ']).toBe(4); // 200 messages, every 50th invalid
    expect(worker['rows written']).toBe(196);
    expect(batch.sent).toBe(200);
  });

  it('suggests indexes as valid CREATE INDEX CONCURRENTLY statements verified by HypoPG', async () => {
    const statements = report.sections
      .flatMap((s) => s.tables ?? [])
      .filter((t) => t.title.toLowerCase().includes('index'))
      .flatMap((t) => t.rows.map((row) => String(row[0])))
      .filter((cell) => cell.startsWith('CREATE INDEX'));
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      expect(statement).toMatch(
        /^CREATE INDEX CONCURRENTLY IF NOT EXISTS "[a-z_0-9]+" ON "public"\."[a-z_]+" \(/,
      );
      const tree = await parse(statement);
      expect(tree.stmts).toHaveLength(1);
    }
  });

  it('writes a self-contained report.html that opens in headless Chromium without errors', async () => {
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('request', (request) => {
        if (!request.url().startsWith('file:')) requests.push(request.url());
      });
      await page.goto(`file://${join(dir, 'report.html')}`);
      mkdirSync(OUTPUT_DIR, { recursive: true });
      await page.screenshot({ path: join(OUTPUT_DIR, 'report.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      expect(await page.locator('section').count()).toBe(report.sections.length);
      expect(await page.locator('h1').textContent()).toBe('lambda-perf-kit demo report');
    } finally {
      await browser.close();
    }
  });

  it('with a bad DATABASE_URL prints one clear line without the password and exits non-zero', async () => {
    const bad = await runDemo(['--quiet', '--json', join(dir, 'x.json'), '--html', join(dir, 'x.html')], {
      ...process.env,
      DATABASE_URL: 'postgres://app:s3cr3t-pw@127.0.0.1:1/shop',
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('127.0.0.1:1/shop as app');
    expect(bad.stderr).toContain('ECONNREFUSED');
    expect(bad.stderr).not.toContain('s3cr3t-pw');
  });

  it('runs on the embedded PostgreSQL (PGlite) when no DATABASE_URL is given: the default npm start path', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'perfkit-demo-cache-'));
    try {
      const { DATABASE_URL: _db, REDIS_URL: _redis, ...env } = process.env;
      const args = ['--rows', '2000', '--messages', '50', '--only', 'pool,optimizer', '--quiet'];
      const out = ['--json', join(cache, 'r.json'), '--html', join(cache, 'r.html')];
      const embedded = await runDemo([...args, ...out], { ...env, XDG_CACHE_HOME: cache });
      expect(embedded.stderr).toBe('');
      expect(embedded.code).toBe(0);
      const result = JSON.parse(readFileSync(join(cache, 'r.json'), 'utf8')) as DemoReport;
      expect(result.environment.database).toBe('embedded PGlite (first start)');
      expect(result.sections.map((s) => s.title)).toEqual([
        'Sample dataset',
        'Connection pool',
        'Query optimizer',
      ]);
      expect(existsSync(join(cache, 'lambda-perf-kit'))).toBe(true); // kept for a fast second start
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 120_000);

  it('documents its flags in --help', async () => {
    const help = await runDemo(['--help'], process.env);
    expect(help.code).toBe(0);
    for (const flag of ['--rows', '--messages', '--database-url', '--json', '--html'])
      expect(help.stdout).toContain(flag);
  });
});
