import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCacheOptions } from '../../../lambda/examples/shared/redis.js';
import { createQueryOptimizer, type RedisLike } from '../../../lambda/shared/query-optimizer/index.js';
import { createFixture, type Fixture } from './fixtures.js';

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

// ElastiCache (Redis OSS / Valkey) in cluster mode, and serverless ElastiCache, refuse multi-key
// commands across hash slots (CROSSSLOT). A one-node redis-server with cluster-enabled behaves alike.
describe('L2 on a cluster-mode Redis', () => {
  let dir: string;
  let port: number;
  let fixture: Fixture;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'perfkit-redis-cluster-'));
    port = await freePort();
    const server = spawn(
      'redis-server',
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--cluster-enabled',
        'yes',
        // A lone node announces an empty host until it meets another; cluster clients need a real one.
        '--cluster-announce-ip',
        '127.0.0.1',
        '--cluster-config-file',
        join(dir, 'nodes.conf'),
        '--daemonize',
        'yes',
        '--pidfile',
        join(dir, 'redis.pid'),
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { stdio: 'ignore' },
    );
    await new Promise((resolve) => server.on('exit', resolve));
    for (let i = 0; i < 50; i++) {
      try {
        execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: 'ignore' });
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    execFileSync('redis-cli', ['-p', String(port), 'cluster', 'addslotsrange', '0', '16383'], {
      stdio: 'ignore',
    });
    for (let i = 0; i < 50; i++) {
      if (
        execFileSync('redis-cli', ['-p', String(port), 'cluster', 'info'], { encoding: 'utf8' }).includes(
          'cluster_state:ok',
        )
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    fixture = await createFixture();
    await fixture.sql(`CREATE TABLE ${fixture.schema}.items (id int PRIMARY KEY, name text)`);
    await fixture.sql(`INSERT INTO ${fixture.schema}.items VALUES (1, 'one')`);
  });

  afterAll(async () => {
    await fixture.drop();
    try {
      execFileSync('redis-cli', ['-p', String(port), 'shutdown', 'nosave'], { stdio: 'ignore' });
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves a hit from L2 with no CROSSSLOT error: the default key prefix keeps one hash slot', async () => {
    const url = `redis://127.0.0.1:${port}`;
    const writer = createQueryOptimizer(fixture.pool, { redis: { url, timeoutMillis: 1_000 } });
    const reader = createQueryOptimizer(fixture.pool, { redis: { url, timeoutMillis: 1_000 } });
    try {
      expect(await writer.warmUp(2_000)).toBe(true);
      expect(await reader.warmUp(2_000)).toBe(true);
      const sql = `SELECT id, name FROM ${fixture.schema}.items WHERE id = $1`;
      const first = await writer.execute(sql, [1], { cache: true });
      await writer.close(); // waits for the background L2 write
      const second = await reader.execute(sql, [1], { cache: true });
      expect(first.source).toBe('database');
      expect(second.source).toBe('l2');
      expect(second.rows).toEqual([{ id: 1, name: 'one' }]);
      expect(reader.getCacheStats().l2.errors).toBe(0);
      expect(writer.getCacheStats().l2.errors).toBe(0);
    } finally {
      await writer.close();
      await reader.close();
    }
  });

  it('the example handlers’ cluster client (REDIS_CLUSTER_MODE=true) serves L2 hits through slot routing', async () => {
    const url = `redis://127.0.0.1:${port}`;
    const writerOptions = await redisCacheOptions(url, true);
    const readerOptions = await redisCacheOptions(url, true);
    const writer = createQueryOptimizer(fixture.pool, { redis: { ...writerOptions, timeoutMillis: 1_000 } });
    const reader = createQueryOptimizer(fixture.pool, { redis: { ...readerOptions, timeoutMillis: 1_000 } });
    try {
      expect(await writer.warmUp(3_000)).toBe(true);
      expect(await reader.warmUp(3_000)).toBe(true);
      const sql = `SELECT id, name FROM ${fixture.schema}.items WHERE id = $1 AND name IS NOT NULL`;
      await writer.execute(sql, [1], { cache: true });
      await writer.close();
      const second = await reader.execute(sql, [1], { cache: true });
      expect(second.source).toBe('l2');
      expect(reader.getCacheStats().l2.errors).toBe(0);
    } finally {
      await reader.close();
      for (const options of [writerOptions, readerOptions])
        await (options.client as RedisLike).quit().catch(() => undefined);
    }
  });
});
