/**
 * Demo section for the example handlers (issue 9): the API read path bundled as Lambda runs it
 * (split and eager), invoked cold in fresh `node` processes and then warm; then the scheduled
 * maintenance handler over the traffic the API produced (slow queries, index advice).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { bundleSplit } from '../../../../lib/bundling/bundleSplit.js';
import { makeApiGatewayV2Event, makeContext, makeScheduledEvent } from '../../events.js';
import { invokeInFreshProcess } from '../../local-runner/run-handler.js';
import { percentile, round } from '../stats.js';
import type { DemoContext, DemoSection } from '../types.js';

const API_ENTRY = fileURLToPath(
  new URL('../../../examples/performance-optimized-handler.ts', import.meta.url),
);
const COLD_SAMPLES = 5;
const WARM_REQUESTS = 300;

/** A realistic mix of API requests over the skewed dataset (hot products and customers repeat). */
function requestMix(count: number, rows: number, seed = 7): APIGatewayProxyEventV2[] {
  let state = seed;
  const random = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const customers = Math.max(100, Math.round(rows / 10));
  const products = Math.max(10, Math.round(rows / 100));
  const categories = ['books', 'games', 'garden', 'kitchen', 'music', 'sports', 'toys', 'tools'];
  return Array.from({ length: count }, () => {
    const r = random();
    if (r < 0.5) {
      const id = String(1 + Math.floor(random() ** 3 * products));
      return makeApiGatewayV2Event(`/products/${id}`, { route: '/products/{id}', pathParameters: { id } });
    }
    if (r < 0.85) {
      const id = String(1 + Math.floor(random() ** 3 * customers));
      return makeApiGatewayV2Event(`/customers/${id}/orders`, {
        route: '/customers/{id}/orders',
        pathParameters: { id },
      });
    }
    if (r < 0.95) {
      const category = categories[Math.floor(random() * categories.length)] ?? 'books';
      return makeApiGatewayV2Event('/reports/top-products', { queryStringParameters: { category } });
    }
    return makeApiGatewayV2Event('/health');
  });
}

/**
 * Runs the handlers section.
 *
 * @example
 * ```ts
 * const section = await runHandlersSection(ctx);
 * ```
 */
export async function runHandlersSection(ctx: DemoContext): Promise<DemoSection> {
  const warnings: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'perfkit-handlers-'));
  try {
    ctx.progress('bundling the API handler as Lambda runs it (split and eager)…');
    const split = bundleSplit({ entry: API_ENTRY, outDir: join(dir, 'split') });
    const eager = bundleSplit({ entry: API_ENTRY, outDir: join(dir, 'eager'), splitting: false });
    const env: Record<string, string> = { DATABASE_URL: ctx.databaseUrl, POWERTOOLS_LOG_LEVEL: 'ERROR' };
    if (ctx.redisUrl) env.REDIS_URL = ctx.redisUrl;

    ctx.progress(`cold starts: ${COLD_SAMPLES} fresh processes per bundle, interleaved…`);
    const firstRequest = makeApiGatewayV2Event('/products/1', {
      route: '/products/{id}',
      pathParameters: { id: '1' },
    });
    const health = makeApiGatewayV2Event('/health');
    const cold = {
      split: [] as number[],
      eager: [] as number[],
      splitInit: [] as number[],
      eagerInit: [] as number[],
      healthSplit: [] as number[],
    };
    for (let i = 0; i < COLD_SAMPLES; i++) {
      for (const variant of i % 2 === 0 ? (['split', 'eager'] as const) : (['eager', 'split'] as const)) {
        const bundle = variant === 'split' ? split : eager;
        const run = await invokeInFreshProcess({ modulePath: bundle.entryFile, events: [firstRequest], env });
        const first = run.invocations[0];
        if (first?.error) throw new Error(`cold ${variant} invocation failed: ${first.error}`);
        cold[variant].push(run.initMillis + (first?.millis ?? 0));
        cold[variant === 'split' ? 'splitInit' : 'eagerInit'].push(run.initMillis);
      }
      const healthRun = await invokeInFreshProcess({ modulePath: split.entryFile, events: [health], env });
      cold.healthSplit.push(healthRun.initMillis + (healthRun.invocations[0]?.millis ?? 0));
    }

    ctx.progress(`warm: ${WARM_REQUESTS} requests to the API handler in one environment…`);
    process.env.DATABASE_URL = ctx.databaseUrl;
    process.env.SLOW_QUERY_MILLIS ??= '5';
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    // PGlite has no HypoPG: opt in to the advisor's real-index check (rolled back) there.
    if (ctx.embedded) process.env.INDEX_ADVISOR_REAL_INDEX_CHECK = 'true';
    if (ctx.redisUrl) process.env.REDIS_URL = ctx.redisUrl;
    else delete process.env.REDIS_URL;
    const api = await import('../../../examples/performance-optimized-handler.js');
    const warm: number[] = [];
    const statuses = new Map<number, number>();
    for (const event of requestMix(WARM_REQUESTS, ctx.rows)) {
      const start = performance.now();
      const response = (await api.handler(event, makeContext())) as APIGatewayProxyStructuredResultV2;
      warm.push(performance.now() - start);
      statuses.set(response.statusCode ?? 0, (statuses.get(response.statusCode ?? 0) ?? 0) + 1);
    }
    const errors = [...statuses].filter(([status]) => status >= 500).reduce((n, [, c]) => n + c, 0);
    if (errors > 0) warnings.push(`${errors} of ${WARM_REQUESTS} warm requests answered 5xx`);

    ctx.progress('maintenance handler: slow queries and index advice…');
    const maintenance = await import('../../../examples/maintenance-handler.js');
    const report = await maintenance.handler(makeScheduledEvent(), makeContext({ timeoutMillis: 60_000 }));
    const database = await import('../../../examples/shared/database.js');
    const { pool, optimizer } = await database.getDatabase();
    const poolMetrics = pool.getMetrics();
    const cacheStats = optimizer.getCacheStats();
    await database.closeDatabase();
    if (report.advice.method !== 'hypopg') warnings.push(...report.advice.notes.slice(0, 2));

    const p = (values: number[], pct: number) => round(percentile(values, pct), 2);
    return {
      title: 'Example handlers (API read path, maintenance)',
      summary:
        'The API handler as Lambda runs it: a cold start (new process: init + first request) costs tens to hundreds of milliseconds, a warm request a millisecond or a few, because the pool and the cache survive between invocations; the split bundle keeps the init short.',
      figures: {
        'cold p50, split (ms)': p(cold.split, 50),
        'cold p50, eager (ms)': p(cold.eager, 50),
        'init p50 split / eager': round(percentile(cold.splitInit, 50) / percentile(cold.eagerInit, 50), 2),
        'cold /health p50, split (ms)': p(cold.healthSplit, 50),
        'warm p50 (ms)': p(warm, 50),
        'warm p95 (ms)': p(warm, 95),
        'cache hit rate (%)': round(cacheStats.hitRate * 100, 2),
        'pool connections created': poolMetrics.connectionsCreated,
        'pool peak': poolMetrics.peak,
        'bytes read at init, split': split.initBytes,
        'bytes read at init, eager': eager.initBytes,
      },
      charts: [
        {
          title: 'API latency, cold vs warm',
          unit: 'ms',
          bars: [
            { label: 'cold p50 (eager bundle)', value: p(cold.eager, 50) },
            { label: 'cold p50 (split bundle)', value: p(cold.split, 50) },
            { label: 'cold /health (split)', value: p(cold.healthSplit, 50) },
            { label: 'warm p95', value: p(warm, 95) },
            { label: 'warm p50', value: p(warm, 50) },
          ],
        },
      ],
      tables: [
        {
          title: 'Slow query shapes seen by the maintenance handler',
          columns: ['query (normalized)', 'count', 'mean ms', 'max ms', 'findings'],
          rows: report.slowQueries
            .slice(0, 5)
            .map((q) => [
              q.normalizedSql.replace(/\s+/g, ' ').trim(),
              q.count,
              round(q.meanMillis, 2),
              round(q.maxMillis, 2),
              q.findings.join(' ') || '—',
            ]),
        },
        {
          title: `Index advice (${report.advice.method})`,
          columns: ['statement', 'cost saving', 'queries helped'],
          rows: report.advice.suggestions.map((s) => [
            s.statement,
            `${Math.round(s.saving * 100)}%`,
            s.queries,
          ]),
        },
      ],
      warnings,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
