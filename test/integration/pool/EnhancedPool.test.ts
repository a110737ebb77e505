import { inspect } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createEnhancedPool,
  type EnhancedPool,
  type EnhancedPoolOptions,
  PoolClosedError,
  PoolConnectionError,
} from '../../../lambda/shared/connection-pool/index.js';
import { configureObservability, resetObservability } from '../../../lambda/shared/observability/index.js';
import { databaseUrl } from '../../helpers/services.js';
import { adminClient, backendPids, sleep, uniqueName, waitFor } from './helpers.js';

let admin: pg.Client;
const pools: EnhancedPool[] = [];

function pool(options: EnhancedPoolOptions = {}): { pool: EnhancedPool; name: string } {
  const name = uniqueName('pool_it');
  const created = createEnhancedPool({ connectionString: databaseUrl(), application_name: name, ...options });
  pools.push(created);
  return { pool: created, name };
}

/** A TCP port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  admin = await adminClient(databaseUrl());
});

afterEach(async () => {
  for (const p of pools.splice(0)) await p.end({ timeoutMillis: 1000 });
  resetObservability();
});

afterAll(async () => {
  await admin.end();
});

describe('the enhanced pool against PostgreSQL', () => {
  it('returns pg’s QueryResult from query, and pg clients from connect', async () => {
    const { pool: p } = pool();
    const raw = new pg.Pool({ connectionString: databaseUrl(), max: 1 });
    try {
      const ours = await p.query<{ n: number; s: string }>('SELECT $1::int AS n, $2::text AS s', [7, 'x']);
      const theirs = await raw.query('SELECT $1::int AS n, $2::text AS s', [7, 'x']);
      expect(ours.rows).toEqual([{ n: 7, s: 'x' }]);
      expect(ours.command).toBe(theirs.command);
      expect(ours.rowCount).toBe(theirs.rowCount);
      expect(ours.fields.map((f) => f.name)).toEqual(theirs.fields.map((f) => f.name));
      const asArray = await p.query({ text: 'SELECT 1 AS a, 2 AS b', rowMode: 'array' });
      expect(asArray.rows).toEqual([[1, 2]]);

      const client = await p.connect();
      try {
        expect(client).toBeInstanceOf(pg.Client);
        expect((await client.query('SELECT 42 AS answer')).rows).toEqual([{ answer: 42 }]);
      } finally {
        client.release();
      }
    } finally {
      await raw.end();
    }
  });

  it('hands server errors back as pg’s DatabaseError and keeps the client', async () => {
    const { pool: p } = pool({ max: 1 });
    const pid = (await p.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const error = await p.query('SELECT * FROM no_such_table_here').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(pg.DatabaseError);
    expect((error as pg.DatabaseError).code).toBe('42P01');
    expect((await p.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid).toBe(pid);
    expect(p.getMetrics()).toMatchObject({ totalQueries: 3, errors: 1, connectionsCreated: 1 });
  });

  it('warmUp opens min connections in parallel', async () => {
    const { pool: p, name } = pool({ max: 4, min: 3 });
    const result = await p.warmUp();
    expect(result).toMatchObject({ total: 3, opened: 3 });
    expect(await backendPids(admin, name)).toHaveLength(3);
    expect(p.getMetrics()).toMatchObject({ total: 3, idle: 3, active: 0, peak: 3 });
    // a second warm-up reuses what is open
    expect((await p.warmUp()).opened).toBe(0);
  });

  it('queues callers beyond max and serves them in order', async () => {
    const { pool: p } = pool({ max: 2 });
    const calls = Array.from({ length: 8 }, (_, i) => p.query('SELECT $1::int AS i, pg_sleep(0.02)', [i]));
    expect(p.getMetrics().waiting).toBe(6);
    expect(p.getHealthStatus()).toMatchObject({
      status: 'degraded',
      reasons: ['6 caller(s) waiting for a connection: all 2 are in use'],
    });
    await Promise.all(calls);
    expect(p.getMetrics()).toMatchObject({ total: 2, peak: 2, waiting: 0, totalQueries: 8, errors: 0 });
    expect(p.getHealthStatus().status).toBe('healthy');

    // one connection: the server sees the statements strictly in the order they were called
    const { pool: single } = pool({ max: 1 });
    const order = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        single.query<{ i: number; at: Date }>('SELECT $1::int AS i, clock_timestamp() AS at', [i]),
      ),
    );
    const times = order.map((r) => r.rows[0]!.at.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(single.getMetrics().peak).toBe(1);
  });

  it('destroys a client released inside an open transaction instead of pooling it', async () => {
    const { pool: p } = pool({ max: 1 });
    const client = await p.connect();
    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await client.query('BEGIN');
    await client.query('CREATE TEMP TABLE leaked_state (x int)');
    client.release();
    expect(p.getMetrics().total).toBe(0);
    const after = await p.query("SELECT pg_backend_pid() AS pid, to_regclass('pg_temp.leaked_state') AS t");
    expect(after.rows[0]!.pid).not.toBe(pid);
    expect(after.rows[0]!.t).toBeNull();
  });

  it('throws on a second release, like pg', async () => {
    const { pool: p } = pool();
    const client = await p.connect();
    client.release();
    expect(() => client.release()).toThrow('Release called on client which has already been released');
  });

  it('discards the client after statement_timeout (57014)', async () => {
    const { pool: p } = pool({ max: 1, statement_timeout: 150 });
    const pid = (await p.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const error = await p.query('SELECT pg_sleep(2)').catch((e: unknown) => e);
    expect((error as pg.DatabaseError).code).toBe('57014');
    expect(p.getMetrics()).toMatchObject({ total: 0, errors: 1, retries: 0 });
    expect((await p.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid).not.toBe(pid);
  });

  it('destroys the socket of a query that hits query_timeout, so the late answer never reaches anyone', async () => {
    const { pool: p, name } = pool({ max: 1, query_timeout: 150, statement_timeout: false });
    const pid = (await p.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const started = Date.now();
    await expect(p.query('SELECT pg_sleep(1)')).rejects.toThrow('Query read timeout');
    expect(Date.now() - started).toBeLessThan(900);
    expect(p.getMetrics().total).toBe(0);
    const next = await p.query('SELECT pg_backend_pid() AS pid, 1 AS fresh');
    expect(next.rows[0]).toMatchObject({ fresh: 1 });
    expect(next.rows[0]!.pid).not.toBe(pid);
    // the server notices the closed socket once pg_sleep returns, and the old backend exits
    expect(await waitFor(async () => !(await backendPids(admin, name)).includes(pid), 5000)).toBe(true);
  });

  it('replaces a connection killed with pg_terminate_backend while idle, without an error', async () => {
    const { pool: p, name } = pool({ max: 1 });
    const pid = (await p.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    expect(await waitFor(() => p.getMetrics().total === 0, 2000)).toBe(true);
    // not marked idempotent: it goes through because the dead client never gets it
    const row = (await p.query('SELECT pg_backend_pid() AS pid')).rows[0]!;
    expect(row.pid).not.toBe(pid);
    expect(await backendPids(admin, name)).toEqual([row.pid]);
    expect(p.getMetrics().reconnects).toBe(1);
  });

  it('validates a client idle past the threshold, so a write after a kill goes through at once', async () => {
    const { pool: p } = pool({ max: 1, validateIdleAfterMillis: 0 });
    const pid = (await p.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    // no waiting: the kill may not have been read from the socket yet; the idle check catches it
    const result = await p.query('SELECT pg_backend_pid() AS pid, $1::int AS written', [1]);
    expect(result.rows[0]!.pid).not.toBe(pid);
    // never re-run: the dead client was replaced before the statement was sent (by the idle check,
    // or by the pool when the kill was read from the socket first)
    expect(p.getMetrics()).toMatchObject({ errors: 0, retries: 0, reconnects: 1 });
  });

  it('retries an idempotent read whose backend is killed mid-statement', async () => {
    const { pool: p, name } = pool({ max: 1 });
    await p.warmUp();
    const read = p.query('SELECT pg_sleep(0.4), 42 AS answer', [], { idempotent: true });
    expect(await waitFor(async () => (await backendPids(admin, name, 'active')).length === 1, 2000)).toBe(
      true,
    );
    const [pid] = await backendPids(admin, name, 'active');
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const result = await read;
    expect(result.rows[0]!.answer).toBe(42);
    expect(p.getMetrics()).toMatchObject({ errors: 0 });
    expect(p.getMetrics().retries).toBeGreaterThanOrEqual(1);
    expect(p.getMetrics().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('does not re-run a write whose backend is killed mid-statement, and discards its client', async () => {
    const { pool: p, name } = pool({ max: 1 });
    await p.warmUp();
    const write = p.query('SELECT pg_sleep(2)').catch((e: unknown) => e);
    expect(await waitFor(async () => (await backendPids(admin, name, 'active')).length === 1, 2000)).toBe(
      true,
    );
    const [pid] = await backendPids(admin, name, 'active');
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const error = (await write) as Error & { code?: string };
    expect(error).toBeInstanceOf(Error);
    expect(['57P01', undefined]).toContain(error.code);
    expect(p.getMetrics()).toMatchObject({ retries: 0, errors: 1 });
    const next = await p.query('SELECT pg_backend_pid() AS pid');
    expect(next.rows[0]!.pid).not.toBe(pid);
  });

  it('gives a checked-out client whose backend was killed back as broken, and never hands it out again', async () => {
    const { pool: p } = pool({ max: 1 });
    const client = await p.connect();
    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    await expect(client.query('SELECT 1')).rejects.toThrow();
    client.release(); // no error passed: the pool still sees the client is broken
    const again = await p.connect();
    try {
      expect(again).not.toBe(client);
      expect((await again.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid).not.toBe(pid);
    } finally {
      again.release();
    }
  });

  it('retries refused connections with backoff until the deadline, then says what to do', async () => {
    const port = await closedPort();
    const p = createEnhancedPool({
      host: '127.0.0.1',
      port,
      user: 'app',
      database: 'shop',
      retry: { deadlineMillis: 400, baseDelayMillis: 20, maxDelayMillis: 100 },
    });
    pools.push(p);
    const started = Date.now();
    const error = (await p.query('SELECT 1').catch((e: unknown) => e)) as PoolConnectionError;
    expect(error).toBeInstanceOf(PoolConnectionError);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.message).toMatch(
      new RegExp(`could not connect to 127.0.0.1:${port}/shop as app after \\d+ attempt\\(s\\) in \\d+ ms`),
    );
    expect(error.message).toContain('nothing accepts connections there');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(p.getMetrics().retries).toBeGreaterThan(1);
    expect(p.getHealthStatus().status).toBe('degraded');
    expect(p.getHealthStatus().reasons[0]).toContain(
      `connections to 127.0.0.1:${port}/shop as app are failing (ECONNREFUSED`,
    );
  });

  it('routes readOnly queries to the reader, and back to the writer when the reader fails', async () => {
    const writerUrl = new URL(databaseUrl());
    const readerUrl = new URL(databaseUrl());
    readerUrl.pathname = '/postgres';
    const { pool: p } = pool({ reader: { connectionString: readerUrl.toString() } });
    const db = async (readOnly: boolean) =>
      (await p.query<{ db: string }>('SELECT current_database() AS db', [], { readOnly })).rows[0]?.db;
    expect(await db(false)).toBe(writerUrl.pathname.slice(1));
    expect(await db(true)).toBe('postgres');

    const port = await closedPort();
    const { pool: q } = pool({ reader: { host: '127.0.0.1', port } });
    const read = await q.query<{ db: string }>('SELECT current_database() AS db', [], { readOnly: true });
    expect(read.rows[0]?.db).toBe(writerUrl.pathname.slice(1));
    expect(q.getMetrics().readerFallbacks).toBe(1);
    // while the reader is down, reads go straight to the writer (no new attempt each time)
    await q.query('SELECT 1', [], { readOnly: true });
    expect(q.getMetrics().readerFallbacks).toBe(2);
    expect(q.getMetrics().errors).toBe(0);
    const health = q.getHealthStatus();
    expect(health.status).toBe('degraded');
    expect(health.reasons.join(' ')).toContain('readOnly queries go to the writer');
  });

  it('ends idempotently, refuses work afterwards, and force-closes clients never released', async () => {
    const { pool: p, name } = pool({ max: 2 });
    const held = await p.connect();
    await held.query('SELECT 1');
    const started = Date.now();
    const ending = p.end({ timeoutMillis: 200 });
    expect(p.end()).toBe(ending);
    await ending;
    expect(Date.now() - started).toBeLessThan(1500);
    expect(p.ended).toBe(true);
    await expect(p.query('SELECT 1')).rejects.toThrow(PoolClosedError);
    await expect(p.connect()).rejects.toThrow(PoolClosedError);
    expect(p.getHealthStatus().status).toBe('ended');
    expect(() => held.release()).not.toThrow();
    expect(await waitFor(async () => (await backendPids(admin, name)).length === 0, 3000)).toBe(true);
  });

  it('lets queries in flight finish before it ends', async () => {
    const { pool: p } = pool({ max: 1 });
    const inFlight = p.query('SELECT pg_sleep(0.1), 5 AS five');
    await sleep(10);
    await p.end();
    expect((await inFlight).rows[0]!.five).toBe(5);
  });

  it('never shows the password: not in the pool, its metrics, errors or logs', async () => {
    const secret = 'S3cret-Do-Not-Print-7';
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      configureObservability({ logger: new Logger({ serviceName: 'pool-test', logLevel: 'DEBUG' }) });
      const port = await closedPort();
      const p = createEnhancedPool({
        host: '127.0.0.1',
        port,
        user: 'app',
        password: secret,
        retry: { deadlineMillis: 100 },
      });
      pools.push(p);
      const error = await p.query('SELECT 1').catch((e: unknown) => e);
      const urlPool = createEnhancedPool({
        connectionString: `postgres://app:${secret}@127.0.0.1:${port}/shop`,
        retry: { deadlineMillis: 0 },
      });
      pools.push(urlPool);
      const urlError = await urlPool.query('SELECT 1').catch((e: unknown) => e);
      for (const text of [
        inspect(p, { depth: 8, showHidden: true }),
        JSON.stringify(p),
        Object.keys(p).join(),
        JSON.stringify(p.getMetrics()),
        JSON.stringify(p.getHealthStatus()),
        String(error),
        (error as Error).stack ?? '',
        String(urlError),
        inspect(urlPool, { depth: 8, showHidden: true }),
        lines.join(''),
      ]) {
        expect(text).not.toContain(secret);
      }
    } finally {
      spy.mockRestore();
    }
  });

  it('publishes its metrics as EMF through the toolkit’s Metrics', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      configureObservability({ metrics: new Metrics({ namespace: 'PoolTest', serviceName: 'pool-test' }) });
      const { pool: p } = pool({ max: 2 });
      await p.query('SELECT 1');
      await p.query('SELECT 2');
      p.publishMetrics({ flush: true });
      await p.query('SELECT 3');
      p.publishMetrics({ flush: true });
    } finally {
      spy.mockRestore();
    }
    const emf = lines
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes('"_aws"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(emf).toHaveLength(2);
    expect(emf[0]).toMatchObject({
      PoolTotalConnections: 1,
      PoolIdleConnections: 1,
      PoolQueries: 2,
      PoolErrors: 0,
    });
    expect(emf[0]?.PoolQueryTime).toBeGreaterThan(0);
    expect(emf[0]?.PoolQueryTimeP95).toBeGreaterThan(0);
    expect(emf[1]).toMatchObject({ PoolQueries: 1, PoolConnectionsCreated: 0 });
    const aws = emf[0]?._aws as { CloudWatchMetrics: Array<{ Namespace: string }> } | undefined;
    expect(aws?.CloudWatchMetrics[0]?.Namespace).toBe('PoolTest');
  });
});
