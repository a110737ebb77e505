/**
 * Demo section for the query optimizer: a cache hit (L1, and L2 when REDIS_URL is set) against the
 * same primary-key read on the database; a small workload whose slow queries are logged with their
 * plan findings; and index suggestions verified with HypoPG (or, on the embedded PGlite which has
 * no HypoPG, with real indexes built inside a transaction that is rolled back).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createQueryOptimizer, type IndexAdvice } from '../../../shared/query-optimizer/index.js';
import { median, round } from '../stats.js';
import type { DemoContext, DemoSection, DemoTable } from '../types.js';

/**
 * Runs the query-optimizer demo section (a few seconds on PostgreSQL, longer on PGlite).
 *
 * @example
 * ```ts
 * const section = await runOptimizerSection(ctx);
 * console.log(section.figures['L1 hit speed-up (×)']);
 * ```
 */
export async function runOptimizerSection(ctx: DemoContext): Promise<DemoSection> {
  const warnings: string[] = [];
  const pool = new pg.Pool({
    connectionString: ctx.databaseUrl,
    max: ctx.embedded ? 1 : 4,
    application_name: 'perf-kit-demo-optimizer',
  });
  pool.on('error', () => undefined);
  const prefix = `lpk-demo:${randomBytes(4).toString('hex')}:`;
  const redis = ctx.redisUrl ? { url: ctx.redisUrl, keyPrefix: prefix } : undefined;
  try {
    // 1. Cache hit vs the database, one operation at a time, alternating.
    ctx.progress('optimizer: cache hit vs database…');
    const cached = createQueryOptimizer(pool, { ...(redis ? { redis } : {}) });
    await cached.warmUp();
    const pk = 'SELECT * FROM customers WHERE id = $1';
    const opts = { cache: true, cacheTTL: 300_000, namespace: { tenant: 'demo' } } as const;
    await cached.execute(pk, [7], opts);
    const dbTimes: number[] = [];
    const l1Times: number[] = [];
    for (let i = 0; i < 300; i++) {
      let t = performance.now();
      await pool.query(pk, [7]);
      dbTimes.push(performance.now() - t);
      t = performance.now();
      await cached.execute(pk, [7], opts);
      l1Times.push(performance.now() - t);
    }
    let l2Median: number | undefined;
    if (redis) {
      const l2Only = createQueryOptimizer(pool, { l1MaxBytes: 1, redis });
      if (await l2Only.warmUp()) {
        const l2Times: number[] = [];
        for (let i = 0; i < 100; i++) {
          const t = performance.now();
          const r = await l2Only.execute(pk, [7], opts);
          if (r.source === 'l2') l2Times.push(performance.now() - t);
        }
        if (l2Times.length > 0) l2Median = median(l2Times);
        else warnings.push('Redis answered but no L2 hit was seen (check REDIS_URL).');
      } else {
        warnings.push(
          'Redis (REDIS_URL) did not become ready within 2 s: L2 skipped, queries went on (fail-open).',
        );
      }
      await l2Only.close();
    }
    const stats = cached.getCacheStats();
    await cached.close();

    // 2. A workload with slow queries: logged by shape, with plan findings.
    ctx.progress('optimizer: slow queries and plan findings…');
    const observer = createQueryOptimizer(pool, { slowQueryMillis: ctx.embedded ? 5 : 2 });
    const workload: Array<[string, unknown[]]> = [
      ['SELECT id, total FROM orders WHERE customer_id = $1', [42]],
      ['SELECT id, country FROM customers WHERE email = $1', ['customer77@example.com']],
      ['SELECT id, total FROM orders WHERE product_id = $1 ORDER BY created_at DESC LIMIT 10', [3]],
      [
        'SELECT o.id, o.total FROM orders o JOIN customers c ON c.id = o.customer_id WHERE c.email = $1',
        ['customer9@example.com'],
      ],
    ];
    for (let round = 0; round < 3; round++) {
      for (const [sql, params] of workload) await observer.execute(sql, [...params]);
    }
    const explained = await observer.execute(
      'SELECT status, count(*) FROM orders WHERE total > $1 GROUP BY status',
      [400],
      { explain: true },
    );
    await observer.close(); // waits for the background EXPLAINs of the slow log
    const slow = await observer.getSlowQueries({ limit: 10 });
    const slowTable: DemoTable = {
      title: 'Slow queries (same shape = one entry; no parameter values kept)',
      columns: ['query shape', 'count', 'mean ms', 'p95 ms', 'top finding'],
      rows: slow.map((s) => [
        s.normalizedSql,
        s.count,
        round(s.meanMillis, 2),
        round(s.p95Millis ?? Number.NaN, 2),
        s.lastFindings[0] ? `${s.lastFindings[0].node}: ${s.lastFindings[0].message}` : '—',
      ]),
    };
    const findingsTable: DemoTable = {
      title: 'EXPLAIN (ANALYZE) findings for one query',
      columns: ['node', 'finding', 'fix'],
      rows: (explained.explain?.findings ?? []).map((f) => [f.node, f.message, f.fix]),
    };

    // 3. Index suggestions verified by planned cost.
    ctx.progress('optimizer: index advisor…');
    let advice: IndexAdvice = await observer.suggestIndexes();
    if (advice.method === 'none') {
      warnings.push(
        ctx.embedded
          ? 'HypoPG is not available on the embedded PGlite: suggestions below were verified with real indexes built inside a transaction that was rolled back (opt-in). On a real PostgreSQL with HypoPG nothing is built.'
          : 'HypoPG is not installed in this database: candidates are listed unverified. Install it (CREATE EXTENSION hypopg) to verify them without building anything.',
      );
      if (ctx.embedded) advice = await observer.suggestIndexes({ verifyWithRealIndexes: true });
    }
    const adviceTable: DemoTable = {
      title: `Index suggestions (verified by ${advice.method === 'hypopg' ? 'HypoPG' : advice.method === 'none' ? 'nothing: unverified' : 'real indexes, rolled back'})`,
      columns: ['statement', 'planned cost before → after', 'saving', 'queries helped'],
      rows: advice.suggestions.map((s) => {
        const best = [...s.queries].sort((a, b) => b.saving - a.saving)[0];
        return [
          s.statement,
          best ? `${round(best.costBefore, 1)} → ${round(best.costAfter, 1)}` : '',
          `${Math.round(s.saving * 100)}%`,
          s.queries.length,
        ];
      }),
    };
    if (advice.method === 'none') {
      adviceTable.rows = advice.notes
        .filter((n) => n.startsWith('unverified candidate'))
        .map((n) => [n, '', '', '']);
    }

    const dbMedian = median(dbTimes);
    const l1Median = median(l1Times);
    const figures: Record<string, number | string> = {
      'database median, primary-key read (ms)': round(dbMedian),
      'L1 hit median (ms)': round(l1Median, 4),
      'L1 hit speed-up (×)': round(dbMedian / l1Median, 1),
      'L1 hit rate': round(stats.l1.hitRate, 3),
      'slow query shapes': slow.length,
      'index suggestions': advice.suggestions.length,
      'best verified cost saving (%)': advice.suggestions.length
        ? Math.round(Math.max(...advice.suggestions.map((s) => s.saving)) * 100)
        : 0,
    };
    if (l2Median !== undefined) {
      figures['L2 (Redis) hit median (ms)'] = round(l2Median);
      figures['L2 hit speed-up (×)'] = round(dbMedian / l2Median, 1);
    }
    return {
      title: 'Query optimizer',
      summary:
        'A cached read answered from memory instead of the database, the slow queries of a small workload grouped by shape with what their plans show, and the indexes that would fix them, each verified by planned cost.',
      figures,
      tables: [slowTable, findingsTable, adviceTable],
      charts: [
        {
          title: 'Primary-key read latency (median)',
          unit: 'ms',
          bars: [
            { label: 'database', value: round(dbMedian) },
            ...(l2Median !== undefined ? [{ label: 'L2 hit (Redis)', value: round(l2Median) }] : []),
            { label: 'L1 hit (memory)', value: round(l1Median, 4) },
          ],
        },
      ],
      ...(warnings.length ? { warnings } : {}),
    };
  } finally {
    await pool.end();
  }
}
