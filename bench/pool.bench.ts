/**
 * Pool benchmarks, as ratios measured in one run against the local PostgreSQL (DATABASE_URL):
 *
 * 1. Wrapper overhead vs a raw `pg.Pool` with the same pg settings, for `SELECT 1` and a
 *    primary-key lookup: A B B A per query. Each pool holds one backend, and where the OS puts
 *    two backends on these 2-core machines alone moves a ratio by up to ±15% (two identical
 *    `pg.Pool`s measured 0.99 to 1.16), so the comparison is repeated over fresh pool pairs
 *    (fresh backends, creation order alternated) and the figure is the median of the rounds'
 *    median ratios; raw-vs-raw rounds give the noise floor beside it.
 * 2. A pooled query vs a new connection per query (connect + startup + query + end), same lookup.
 * 3. Recovery: a private cluster is stopped (immediate) while the pool holds idle connections; an
 *    idempotent read is issued while it is down; the cluster is started again. A probe connecting
 *    every 10 ms marks when it accepts connections; the figure is how long after that the read
 *    returned. Every round must succeed with no error reaching the caller.
 *
 * Run: `npm run bench -- pool` (or `node --import tsx bench/pool.bench.ts` with DATABASE_URL set).
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import {
  DEFAULT_CONNECTION_TIMEOUT_MILLIS,
  DEFAULT_IDLE_TIMEOUT_MILLIS,
  DEFAULT_KEEP_ALIVE_INITIAL_DELAY_MILLIS,
  DEFAULT_MIN,
  DEFAULT_QUERY_TIMEOUT_MILLIS,
  DEFAULT_STATEMENT_TIMEOUT_MILLIS,
} from '../lambda/shared/connection-pool/constants.js';
import { createEnhancedPool, type EnhancedPool } from '../lambda/shared/connection-pool/index.js';
import { startPrivatePostgres } from '../test/helpers/services.js';
import { type BenchResult, compareInterleaved, median, recordResults } from './harness.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('pool.bench: DATABASE_URL is not set (run it with `npm run bench -- pool`)');
  process.exit(1);
}
const quick = process.env.BENCH_QUICK === '1';
const ROUNDS = quick ? 3 : 8;
const QUADS = quick ? 200 : 600;
const TABLE_ROWS = 10_000;

/** The pg settings the enhanced pool resolves to by default: the raw pool gets the same. */
const PG_SETTINGS = {
  max: 1,
  min: DEFAULT_MIN,
  idleTimeoutMillis: DEFAULT_IDLE_TIMEOUT_MILLIS,
  connectionTimeoutMillis: DEFAULT_CONNECTION_TIMEOUT_MILLIS,
  keepAlive: true,
  keepAliveInitialDelayMillis: DEFAULT_KEEP_ALIVE_INITIAL_DELAY_MILLIS,
  statement_timeout: DEFAULT_STATEMENT_TIMEOUT_MILLIS,
  query_timeout: DEFAULT_QUERY_TIMEOUT_MILLIS,
} as const;

const LOOKUP = 'SELECT id, email, created_at FROM perfkit_pool_bench WHERE id = $1';
let nextId = 0;
const lookupId = (): number => (nextId = (nextId % TABLE_ROWS) + 1);

function rawPool(): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, ...PG_SETTINGS });
  pool.on('error', () => undefined);
  return pool;
}

function enhancedPool(): EnhancedPool {
  return createEnhancedPool({ connectionString: databaseUrl, max: 1 });
}

async function prepareTable(): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      'CREATE TABLE IF NOT EXISTS perfkit_pool_bench (id int PRIMARY KEY, email text NOT NULL, created_at timestamptz NOT NULL)',
    );
    const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM perfkit_pool_bench');
    if (rows[0]?.n !== TABLE_ROWS) {
      await client.query('TRUNCATE perfkit_pool_bench');
      await client.query(
        `INSERT INTO perfkit_pool_bench SELECT g, 'user' || g || '@example.com', now() - g * interval '1 minute'
         FROM generate_series(1, $1::int) g`,
        [TABLE_ROWS],
      );
      await client.query('ANALYZE perfkit_pool_bench');
    }
  } finally {
    await client.end();
  }
}

interface RoundsResult {
  ratio: number;
  spread: [number, number];
  samples: number;
  rounds: number[];
  medianOursMs: number;
  medianRawMs: number;
  noiseFloor: number[];
}

/** Enhanced vs raw over fresh pool pairs; with `noise`, also raw vs raw per round. */
/** What both contenders offer. */
interface Queryable {
  query(text: string, values?: unknown[]): Promise<unknown>;
}

async function overheadRounds(
  run: (pool: Queryable) => Promise<unknown>,
  noise: boolean,
): Promise<RoundsResult> {
  const rounds: number[] = [];
  const ours: number[] = [];
  const raws: number[] = [];
  const noiseFloor: number[] = [];
  let samples = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // alternate which pool connects first, so neither always gets the first backend
    let enhanced: EnhancedPool;
    let raw: pg.Pool;
    if (round % 2 === 0) {
      enhanced = enhancedPool();
      await enhanced.warmUp();
      raw = rawPool();
      await raw.query('SELECT 1');
    } else {
      raw = rawPool();
      await raw.query('SELECT 1');
      enhanced = enhancedPool();
      await enhanced.warmUp();
    }
    const result = await compareInterleaved(
      () => run(enhanced),
      () => run(raw),
      { quadsPerBlock: QUADS, blocks: 2, warmup: 200 },
    );
    rounds.push(result.ratio);
    ours.push(result.medianA);
    raws.push(result.medianB);
    samples += result.samples;
    if (noise) {
      const other = rawPool();
      await other.query('SELECT 1');
      noiseFloor.push(
        (
          await compareInterleaved(
            () => run(other),
            () => run(raw),
            { quadsPerBlock: QUADS, blocks: 2, warmup: 200 },
          )
        ).ratio,
      );
      await other.end();
    }
    await enhanced.end();
    await raw.end();
  }
  return {
    ratio: median(rounds),
    spread: [Math.min(...rounds), Math.max(...rounds)],
    samples,
    rounds,
    medianOursMs: median(ours),
    medianRawMs: median(raws),
    noiseFloor,
  };
}

const round3 = (n: number): number => Math.round(n * 1000) / 1000;

async function overhead(): Promise<BenchResult[]> {
  const select1 = await overheadRounds((pool) => pool.query('SELECT 1'), true);
  const lookup = await overheadRounds((pool) => pool.query(LOOKUP, [lookupId()]), false);
  const result = (name: string, r: RoundsResult): BenchResult => ({
    module: 'pool',
    name,
    value: round3(r.ratio),
    unit: 'ratio',
    goal: '<= 1.05',
    pass: r.ratio <= 1.05,
    spread: [round3(r.spread[0]), round3(r.spread[1])],
    samples: r.samples,
    details: {
      method: `ABBA per query, ${ROUNDS} rounds of ${2 * QUADS} quads over fresh pool pairs; median of round medians`,
      roundRatios: r.rounds.map(round3),
      medianEnhancedMs: round3(r.medianOursMs),
      medianRawMs: round3(r.medianRawMs),
      ...(r.noiseFloor.length
        ? { rawVsRawRounds: r.noiseFloor.map(round3), rawVsRawMedian: round3(median(r.noiseFloor)) }
        : {}),
    },
  });
  return [
    result('wrapper overhead vs pg.Pool, SELECT 1', select1),
    result('wrapper overhead vs pg.Pool, primary-key lookup', lookup),
  ];
}

async function pooledVsNewConnection(): Promise<BenchResult> {
  const pool = enhancedPool();
  await pool.warmUp();
  const newConnection = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(LOOKUP, [lookupId()]);
    await client.end();
  };
  const result = await compareInterleaved(newConnection, () => pool.query(LOOKUP, [lookupId()]), {
    quadsPerBlock: quick ? 30 : 100,
    blocks: 3,
    warmup: 20,
  });
  await pool.end();
  return {
    module: 'pool',
    name: 'pooled query vs new connection per query (speed-up)',
    value: Math.round(result.ratio * 10) / 10,
    unit: 'x',
    goal: '>= 10',
    pass: result.ratio >= 10,
    spread: [Math.round(result.spread[0] * 10) / 10, Math.round(result.spread[1] * 10) / 10],
    samples: result.samples,
    details: {
      method: 'ABBA per query: (new connection time) / (pooled time), primary-key lookup',
      medianNewConnectionMs: round3(result.medianA),
      medianPooledMs: round3(result.medianB),
    },
  };
}

const execFileAsync = promisify(execFile);

/** pg_ctl without blocking this process (the pool's retry timers keep running meanwhile). */
async function pgCtl(args: string[]): Promise<void> {
  const pgCtlPath = join(process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin', 'pg_ctl');
  if (process.getuid?.() === 0) await execFileAsync('runuser', ['-u', 'postgres', '--', pgCtlPath, ...args]);
  else await execFileAsync(pgCtlPath, args);
}

/** Resolves with the time the server first accepts a connection (tries every 10 ms). */
async function firstAccept(url: string, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    const probe = new pg.Client({ connectionString: url, connectionTimeoutMillis: 500 });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      const at = performance.now();
      await probe.end();
      return at;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  throw new Error('the server did not come back within the deadline');
}

async function recovery(): Promise<BenchResult> {
  const server = startPrivatePostgres(30);
  const rounds = quick ? 2 : 5;
  const recoveries: number[] = [];
  let errors = 0;
  let retries = 0;
  try {
    const admin = new pg.Client({ connectionString: server.databaseUrl });
    await admin.connect();
    const dataDir = (await admin.query<{ data_directory: string }>('SHOW data_directory')).rows[0]
      ?.data_directory;
    await admin.end();
    if (!dataDir) throw new Error('SHOW data_directory returned nothing');
    const logFile = join(dataDir, '..', 'server.log');
    const pool = createEnhancedPool({
      connectionString: server.databaseUrl,
      max: 2,
      min: 2,
      retry: { deadlineMillis: 20_000, maxAttempts: 100 },
    });
    for (let round = 0; round < rounds; round++) {
      await pool.warmUp();
      await pool.query('SELECT 1');
      await pgCtl(['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
      let readDoneAt = 0;
      const read = pool
        .query<{ n: number }>('SELECT count(*)::int AS n FROM pg_class', [], { readOnly: true })
        .then(
          () => {
            readDoneAt = performance.now();
          },
          () => {
            readDoneAt = performance.now();
            errors++;
          },
        );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const starting = pgCtl(['-D', dataDir, '-l', logFile, 'start']);
      const acceptedAt = await firstAccept(server.databaseUrl, Date.now() + 30_000);
      await read;
      await starting;
      recoveries.push(Math.round(readDoneAt - acceptedAt));
    }
    retries = pool.getMetrics().retries;
    await pool.end();
  } finally {
    server.destroy();
  }
  const worst = Math.max(...recoveries);
  return {
    module: 'pool',
    name: 'recovery after a server restart: first idempotent read after accept (worst round)',
    value: worst,
    unit: 'ms',
    goal: '<= 2000 ms, 0 errors',
    pass: worst <= 2000 && errors === 0,
    spread: [Math.min(...recoveries), worst],
    samples: recoveries.length,
    details: {
      method:
        'private cluster stopped (immediate) with idle pooled connections; read issued while down; started again; a probe connecting every 10 ms marks the accept',
      roundsMs: recoveries,
      medianMs: median(recoveries),
      errorsReachingCaller: errors,
      retries,
    },
  };
}

await prepareTable();
const results: BenchResult[] = [];
results.push(...(await overhead()));
results.push(await pooledVsNewConnection());
results.push(await recovery());
recordResults(results);
process.exitCode = results.every((r) => r.pass) ? 0 : 1;
