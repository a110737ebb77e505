/**
 * Query optimizer benchmarks (one run, ~1–2 min):
 *  1. L1 hit vs the same primary-key query on PostgreSQL (raw pg.Pool), interleaved per operation.
 *  2. L2 (Redis) hit vs the database on a query costing ≥ 5 ms, interleaved per operation.
 *  3. Index advisor: a 12-query workload over 3 tables of ≥ 200k rows, timed before and after
 *     applying the suggestions; every suggested index re-checked with HypoPG for use.
 * Tables live in schema bench_optimizer, dropped at the end.
 */
import pg from 'pg';
import { createQueryOptimizer } from '../lambda/shared/query-optimizer/index.js';
import { type BenchResult, compareInterleaved, median, recordResults } from './harness.js';

const MODULE = 'optimizer';
const S = 'bench_optimizer';
const databaseUrl = process.env.DATABASE_URL;
const redisUrl = process.env.REDIS_URL;
if (!databaseUrl || !redisUrl) {
  throw new Error('DATABASE_URL and REDIS_URL must be set (source .services/env or run `npm run bench`)');
}

const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'bench-optimizer' });
pool.on('error', () => undefined);
const log = (text: string): void => {
  process.stderr.write(`• ${text}\n`);
};
const rand = (n: number): number => 1 + Math.floor(Math.random() * n);

async function setup(): Promise<void> {
  log('building bench_optimizer (customers 200k, products 200k, orders 400k)…');
  await pool.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`);
  await pool.query(`CREATE SCHEMA ${S}`);
  await pool.query(
    `CREATE TABLE ${S}.customers (id int PRIMARY KEY, email text, country text, tier text, created_at timestamptz)`,
  );
  await pool.query(`CREATE TABLE ${S}.products (id int PRIMARY KEY, sku text, category text, price numeric)`);
  await pool.query(
    `CREATE TABLE ${S}.orders (id int PRIMARY KEY, customer_id int, product_id int, status text, quantity int, total numeric, created_at timestamptz)`,
  );
  await pool.query(
    `INSERT INTO ${S}.customers SELECT g, 'user' || g || '@example.com', (ARRAY['de','fr','us','jp','br'])[1 + g % 5],
       (ARRAY['free','pro','team'])[1 + g % 3], now() - (g || ' minutes')::interval FROM generate_series(1, 200000) g`,
  );
  await pool.query(
    `INSERT INTO ${S}.products SELECT g, 'sku-' || g, 'cat-' || (g % 400), (g % 997) + 0.99 FROM generate_series(1, 200000) g`,
  );
  await pool.query(
    `INSERT INTO ${S}.orders SELECT g, 1 + (g::bigint * 7919) % 200000, 1 + (g::bigint * 104729) % 200000,
       (ARRAY['new','paid','shipped','void'])[1 + g % 4], 1 + g % 5, (g % 500) + 0.5, now() - (g || ' seconds')::interval
       FROM generate_series(1, 400000) g`,
  );
  await pool.query(`ANALYZE ${S}.customers, ${S}.products, ${S}.orders`);
}

/** The advisor's workload: 12 statements over 3 tables. */
function workload(): Array<[string, unknown[]]> {
  const email = `user${rand(200000)}@example.com`;
  return [
    [`SELECT * FROM ${S}.orders WHERE customer_id = $1`, [rand(200000)]],
    [`SELECT id, country FROM ${S}.customers WHERE email = $1`, [email]],
    [`SELECT * FROM ${S}.products WHERE sku = $1`, [`sku-${rand(200000)}`]],
    [
      `SELECT id, total FROM ${S}.orders WHERE product_id = $1 ORDER BY created_at DESC LIMIT 10`,
      [rand(200000)],
    ],
    [
      `SELECT o.id, o.total FROM ${S}.orders o JOIN ${S}.customers c ON c.id = o.customer_id WHERE c.email = $1`,
      [`user${rand(200000)}@example.com`],
    ],
    [`SELECT id, price FROM ${S}.products WHERE category = $1 ORDER BY price LIMIT 20`, [`cat-${rand(399)}`]],
    [`SELECT count(*) FROM ${S}.orders WHERE customer_id = $1 AND status = $2`, [rand(200000), 'paid']],
    [`SELECT sum(total) FROM ${S}.orders WHERE product_id = $1`, [rand(200000)]],
    [
      `SELECT p.sku, o.quantity FROM ${S}.products p JOIN ${S}.orders o ON o.product_id = p.id WHERE p.sku = $1`,
      [`sku-${rand(200000)}`],
    ],
    [`SELECT count(*) FROM ${S}.products WHERE category = $1`, [`cat-${rand(399)}`]],
    [
      `SELECT id FROM ${S}.customers WHERE email = $1 AND tier = $2`,
      [`user${rand(200000)}@example.com`, 'pro'],
    ],
    [`SELECT max(created_at) FROM ${S}.orders WHERE customer_id = $1`, [rand(200000)]],
  ];
}

async function timeWorkload(rounds: number): Promise<number[]> {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (const [sql, params] of workload()) await pool.query(sql, params);
    times.push(performance.now() - start);
  }
  return times;
}

async function benchL1(): Promise<BenchResult> {
  log('L1 hit vs primary-key query on PostgreSQL…');
  const optimizer = createQueryOptimizer(pool);
  const sql = `SELECT * FROM ${S}.customers WHERE id = $1`;
  await optimizer.execute(sql, [4242], { cache: true, cacheTTL: 600_000, namespace: 'tenant-1' });
  const r = await compareInterleaved(
    () => pool.query(sql, [4242]),
    () => optimizer.execute(sql, [4242], { cache: true, cacheTTL: 600_000, namespace: 'tenant-1' }),
    { quadsPerBlock: 1000, blocks: 5, warmup: 2000 },
  );
  const stats = optimizer.getCacheStats();
  await optimizer.close();
  return {
    module: MODULE,
    name: 'L1 hit vs the same primary-key query on PostgreSQL (speed-up)',
    value: r.ratio,
    unit: 'x',
    goal: '>= 50',
    pass: r.ratio >= 50,
    spread: r.spread,
    samples: r.samples,
    details: {
      databaseMedianMs: r.medianA,
      l1HitMedianMs: r.medianB,
      l1Hits: stats.l1.hits,
      peer: 'raw pg.Pool',
    },
  };
}

async function benchL2(): Promise<BenchResult> {
  log('L2 (Redis) hit vs the database on a ≥5 ms query…');
  const prefix = `bench-opt:${Date.now()}:`;
  // L1 budget of 1 byte: nothing fits, so every lookup goes to L2.
  const optimizer = createQueryOptimizer(pool, {
    l1MaxBytes: 1,
    redis: { url: redisUrl, keyPrefix: prefix },
  });
  await optimizer.warmUp();
  const sql = `SELECT country, tier, count(*) AS n FROM ${S}.customers WHERE created_at > now() - $1::interval GROUP BY 1, 2 ORDER BY 1, 2`;
  const params = ['100 days'];
  await optimizer.execute(sql, params, { cache: true, cacheTTL: 600_000 });
  await optimizer.close();
  const l2 = createQueryOptimizer(pool, { l1MaxBytes: 1, redis: { url: redisUrl, keyPrefix: prefix } });
  await l2.warmUp();
  const r = await compareInterleaved(
    () => pool.query(sql, params),
    () => l2.execute(sql, params, { cache: true, cacheTTL: 600_000 }),
    { quadsPerBlock: 60, blocks: 5, warmup: 10 },
  );
  const stats = l2.getCacheStats();
  await l2.close();
  return {
    module: MODULE,
    name: 'L2 (Redis) hit vs the database, query costing >= 5 ms (speed-up)',
    value: r.ratio,
    unit: 'x',
    goal: '> 1 (database median >= 5 ms)',
    pass: r.ratio > 1 && r.medianA >= 5,
    spread: r.spread,
    samples: r.samples,
    details: {
      databaseMedianMs: r.medianA,
      l2HitMedianMs: r.medianB,
      l2Hits: stats.l2.hits,
      l2Errors: stats.l2.errors,
      peer: 'raw pg.Pool',
    },
  };
}

async function benchAdvisor(): Promise<BenchResult> {
  log('index advisor on a 12-query workload…');
  const optimizer = createQueryOptimizer(pool, { slowQueryMillis: 1, explainSlowQueries: false });
  for (let i = 0; i < 2; i++) for (const [sql, params] of workload()) await optimizer.execute(sql, params);
  await optimizer.close();
  const before = await timeWorkload(5);
  const advisorStart = performance.now();
  const advice = await optimizer.suggestIndexes();
  const advisorMillis = performance.now() - advisorStart;
  for (const s of advice.suggestions) log(`  ${s.statement}  (-${(s.saving * 100).toFixed(0)}% cost)`);

  // Re-check with HypoPG on one client: every suggested index is used by some workload query.
  const client = await pool.connect();
  const unused: string[] = [];
  try {
    const names = new Map<string, string>();
    for (const s of advice.suggestions) {
      const { rows } = await client.query('SELECT indexname FROM hypopg_create_index($1)', [
        s.statement.replace(/^CREATE INDEX CONCURRENTLY IF NOT EXISTS "[^"]+"/, 'CREATE INDEX'),
      ]);
      names.set(rows[0].indexname, s.statement);
    }
    const used = new Set<string>();
    for (const [sql, params] of workload()) {
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
      for (const m of JSON.stringify(rows[0]['QUERY PLAN']).matchAll(/"Index Name":"([^"]+)"/g))
        used.add(m[1] as string);
    }
    for (const [name, statement] of names) if (!used.has(name)) unused.push(statement);
    await client.query('SELECT hypopg_reset()');
  } finally {
    client.release();
  }

  for (const s of advice.suggestions) await pool.query(s.statement);
  await pool.query(`ANALYZE ${S}.customers, ${S}.products, ${S}.orders`);
  await timeWorkload(1); // warm the new indexes
  const after = await timeWorkload(5);
  const ratio = median(before) / median(after);
  const perRound = before.map((b, i) => b / (after[i] as number));
  return {
    module: MODULE,
    name: 'index advisor: workload time before / after applying suggestions (12 queries, 3 tables >= 200k rows)',
    value: ratio,
    unit: 'x',
    goal: '>= 5, no suggested index unused (HypoPG)',
    pass: ratio >= 5 && unused.length === 0 && advice.method === 'hypopg',
    spread: [Math.min(...perRound), Math.max(...perRound)],
    samples: before.length,
    details: {
      beforeMedianMs: median(before),
      afterMedianMs: median(after),
      suggestions: advice.suggestions.map((s) => s.statement),
      unusedByHypoPG: unused,
      candidatesTried: advice.candidatesTried,
      advisorMillis,
      method: advice.method,
    },
  };
}

try {
  await setup();
  const results = [await benchL1(), await benchL2(), await benchAdvisor()];
  recordResults(results);
} finally {
  await pool.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`).catch(() => undefined);
  await pool.end();
}
