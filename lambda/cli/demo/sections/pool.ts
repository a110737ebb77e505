/**
 * Demo section for the connection pool: a pooled primary-key read against the same read on a new
 * connection each time (connect + startup + query + close — what a handler without a pool pays),
 * interleaved one by one; a burst of concurrent callers beyond `max` that queue and are served;
 * on a real PostgreSQL, a backend killed under the pool and replaced without an error; and the
 * pool's own metrics and health.
 *
 * On the embedded PGlite a "new connection" is still a real socket connect and startup, but every
 * socket shares one backend session, so the kill is skipped there.
 */
import pg from 'pg';
import { createEnhancedPool } from '../../../shared/connection-pool/index.js';
import { percentile, round } from '../stats.js';
import type { DemoContext, DemoSection } from '../types.js';

const PK_READ = 'SELECT id, email, tier FROM customers WHERE id = $1';

/**
 * Runs the pool demo section (about a second on PostgreSQL, a few on PGlite).
 *
 * @example
 * ```ts
 * const section = await runPoolSection(ctx);
 * console.log(section.figures['pooled speed-up (×, p50)']);
 * ```
 */
export async function runPoolSection(ctx: DemoContext): Promise<DemoSection> {
  const warnings: string[] = [];
  const customers = Math.max(100, Math.round(ctx.rows / 10));
  let nextId = 0;
  const id = (): number => (nextId = (nextId % customers) + 1);
  const pool = createEnhancedPool({
    connectionString: ctx.databaseUrl,
    max: 4,
    min: 2,
    application_name: 'perf-kit-demo-pool',
    // PGlite has one session for every socket and does not enforce statement_timeout.
    ...(ctx.embedded ? { statement_timeout: false as const } : {}),
  });
  try {
    ctx.progress('pool: warm-up, pooled vs new connection…');
    const warm = await pool.warmUp();

    // 1. Pooled vs a new connection per query, one at a time, alternating (A B B A).
    const newConnection = async (): Promise<number> => {
      const started = performance.now();
      const client = new pg.Client({
        connectionString: ctx.databaseUrl,
        application_name: 'perf-kit-demo-noPool',
      });
      await client.connect();
      await client.query(PK_READ, [id()]);
      await client.end();
      return performance.now() - started;
    };
    const pooled = async (): Promise<number> => {
      const started = performance.now();
      await pool.query(PK_READ, [id()], { readOnly: true });
      return performance.now() - started;
    };
    for (let i = 0; i < 5; i++) {
      await newConnection();
      await pooled();
    }
    const pooledTimes: number[] = [];
    const newTimes: number[] = [];
    const pairs = ctx.embedded ? 20 : 40;
    for (let i = 0; i < pairs; i++) {
      newTimes.push(await newConnection());
      pooledTimes.push(await pooled(), await pooled());
      newTimes.push(await newConnection());
      // more pooled samples for a steadier p95 (they are cheap)
      for (let k = 0; k < 4; k++) pooledTimes.push(await pooled());
    }

    // 2. A burst beyond max: callers queue in order and are all served.
    ctx.progress('pool: a burst of 24 concurrent callers on 4 connections…');
    const burstStarted = performance.now();
    const burst = Array.from({ length: 24 }, () => pool.query(PK_READ, [id()]));
    const waitingAtBurst = pool.getMetrics().waiting;
    await Promise.all(burst);
    const burstMillis = performance.now() - burstStarted;

    // 3. A backend killed under the pool (real PostgreSQL only).
    let killNote = 'skipped on PGlite (one shared session)';
    if (!ctx.embedded) {
      ctx.progress('pool: pg_terminate_backend on an idle pooled connection…');
      const admin = new pg.Client({ connectionString: ctx.databaseUrl });
      admin.on('error', () => undefined);
      await admin.connect();
      try {
        const before = pool.getMetrics().reconnects;
        const { rows } = await admin.query<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE application_name = 'perf-kit-demo-pool' AND state = 'idle' LIMIT 1",
        );
        const pid = rows[0]?.pid;
        if (pid === undefined) {
          killNote = 'no idle pooled backend found';
        } else {
          await admin.query('SELECT pg_terminate_backend($1)', [pid]);
          await new Promise((resolve) => setTimeout(resolve, 50));
          const errorsBefore = pool.getMetrics().errors;
          for (let i = 0; i < 8; i++) await pool.query(PK_READ, [id()]);
          const after = pool.getMetrics();
          killNote = `backend ${pid} killed; ${after.reconnects - before} connection(s) replaced, ${after.errors - errorsBefore} error(s) seen by callers`;
        }
      } catch (error) {
        warnings.push(`the backend-kill step failed: ${(error as Error).message}`);
      } finally {
        await admin.end();
      }
    }

    const metrics = pool.getMetrics();
    const health = pool.getHealthStatus();
    const pooledP50 = percentile(pooledTimes, 50);
    const newP50 = percentile(newTimes, 50);
    const pooledP95 = percentile(pooledTimes, 95);
    const newP95 = percentile(newTimes, 95);
    if (health.status !== 'healthy')
      warnings.push(`pool health: ${health.status} — ${health.reasons.join('; ')}`);
    return {
      title: 'Connection pool',
      summary: ctx.embedded
        ? 'The same primary-key read through the pool and on a new connection each time (what a handler without a pool pays on every invocation), and a burst of callers beyond max queueing for 4 connections. PGlite opens connections far more cheaply than a real server (no backend process, no TLS, no password exchange), so the speed-up here understates production; run with DATABASE_URL for the real figure.'
        : 'The same primary-key read through the pool and on a new connection each time (what a handler without a pool pays on every invocation), a burst of callers beyond max queueing for 4 connections, and a killed backend replaced without an error reaching the caller.',
      figures: {
        'pooled p50 (ms)': round(pooledP50),
        'pooled p95 (ms)': round(pooledP95),
        'new connection p50 (ms)': round(newP50),
        'new connection p95 (ms)': round(newP95),
        'pooled speed-up (×, p50)': round(newP50 / pooledP50, 1),
        'warm-up: connections opened': warm.opened,
        'warm-up (ms)': warm.millis,
        'burst: callers queued at once': waitingAtBurst,
        'burst: 24 queries served in (ms)': round(burstMillis, 1),
        'killed backend': killNote,
        health: health.status,
      },
      tables: [
        {
          title: 'Pool metrics (getMetrics())',
          columns: ['metric', 'value'],
          rows: Object.entries(metrics).map(([name, value]) => [
            name,
            typeof value === 'number' ? round(value) : String(value),
          ]),
        },
      ],
      charts: [
        {
          title: 'Primary-key read: pooled vs new connection',
          unit: 'ms',
          bars: [
            { label: 'new connection p95', value: round(newP95) },
            { label: 'new connection p50', value: round(newP50) },
            { label: 'pooled p95', value: round(pooledP95) },
            { label: 'pooled p50', value: round(pooledP50) },
          ],
        },
      ],
      ...(warnings.length ? { warnings } : {}),
    };
  } finally {
    await pool.end();
  }
}
