import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEnhancedPool, type EnhancedPool } from '../../../lambda/shared/connection-pool/index.js';
import { databaseUrl } from '../../helpers/services.js';
import { sleep, waitFor } from './helpers.js';
import { startTcpProxy, type TcpProxy } from './tcpProxy.js';

/**
 * A proxy that stops forwarding bytes on the connections it carries, without closing them: what a
 * NAT gateway's idle cut or a freeze/thaw leaves behind. No error ever arrives on such a socket;
 * only the idle check (or a timeout) can tell it is dead.
 */
describe('a frozen socket behind a TCP proxy', () => {
  let proxy: TcpProxy;
  const pools: EnhancedPool[] = [];

  beforeAll(async () => {
    proxy = await startTcpProxy(databaseUrl());
  });
  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.end({ timeoutMillis: 500 });
  });
  afterAll(async () => {
    await proxy.close();
  });

  it('is caught by the idle check and replaced: the caller sees no error', async () => {
    const pool = createEnhancedPool({
      connectionString: proxy.url,
      max: 1,
      validateIdleAfterMillis: 100,
      validationTimeoutMillis: 300,
    });
    pools.push(pool);
    const pid = (await pool.query('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    await sleep(150);
    const closedBefore = proxy.closedByClient();
    expect(proxy.freezeExisting()).toBe(1);

    const started = Date.now();
    const result = await pool.query('SELECT pg_backend_pid() AS pid, 1 AS ok');
    const millis = Date.now() - started;

    expect(result.rows[0]!.ok).toBe(1);
    expect(result.rows[0]!.pid).not.toBe(pid);
    expect(millis).toBeGreaterThanOrEqual(250); // it waited for the check's timeout…
    expect(millis).toBeLessThan(1500); // …and no longer
    expect(pool.getMetrics()).toMatchObject({ errors: 0, validations: 1, reconnects: 1, total: 1 });
    // the frozen socket was destroyed, not left half-open in the pool
    expect(await waitFor(() => proxy.closedByClient() > closedBefore, 1000)).toBe(true);
  });

  it('without the idle check, the frozen socket is only found by query_timeout — and then destroyed', async () => {
    const pool = createEnhancedPool({
      connectionString: proxy.url,
      max: 1,
      validateIdleAfterMillis: Number.POSITIVE_INFINITY,
      query_timeout: 300,
    });
    pools.push(pool);
    await pool.query('SELECT 1');
    const closedBefore = proxy.closedByClient();
    proxy.freezeExisting();

    await expect(pool.query('SELECT 1')).rejects.toThrow('Query read timeout');
    expect(await waitFor(() => proxy.closedByClient() > closedBefore, 1000)).toBe(true);
    expect(pool.getMetrics().total).toBe(0);
    // the broken client is never handed out again: the next query gets a new connection
    expect((await pool.query('SELECT 2 AS two')).rows[0]!.two).toBe(2);
  });

  it('replaces a frozen client that connect() would hand out', async () => {
    const pool = createEnhancedPool({
      connectionString: proxy.url,
      max: 1,
      validateIdleAfterMillis: 50,
      validationTimeoutMillis: 200,
    });
    pools.push(pool);
    await pool.warmUp();
    await sleep(80);
    proxy.freezeExisting();
    const client = await pool.connect();
    try {
      expect((await client.query('SELECT 3 AS three')).rows[0]!.three).toBe(3);
    } finally {
      client.release();
    }
    expect(pool.getMetrics().reconnects).toBe(1);
  });
});
