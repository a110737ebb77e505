/**
 * `npm start`: the local demo. With no DATABASE_URL it starts the embedded PostgreSQL (PGlite);
 * loads the sample dataset; runs the toolkit against it and prints a report.
 */
import pg from 'pg';
import { describeTarget } from './connection-target.js';
import { type DatasetSize, DEFAULT_DATASET_SIZE, loadSampleDataset } from './dataset.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

/** Flags of `perf-kit demo` (`npm start -- --help`). */
export interface DemoOptions {
  rows: number;
  messages: number;
  databaseUrl?: string;
  redisUrl?: string;
  jsonPath: string;
  htmlPath: string;
  quiet: boolean;
}

/** Thrown for failures the user can fix (bad DATABASE_URL, ...): printed as one line, exit 1. */
export class DemoError extends Error {
  override name = 'DemoError';
}

const progress = (quiet: boolean, text: string): void => {
  if (!quiet) process.stderr.write(`• ${text}\n`);
};

/**
 * Runs the demo end to end and returns the report object it printed.
 *
 * @example
 * ```ts
 * await runDemo({ rows: 10_000, messages: 100, jsonPath: 'report.json', htmlPath: 'report.html', quiet: true });
 * ```
 */
export async function runDemo(options: DemoOptions): Promise<Record<string, unknown>> {
  const started = Date.now();
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    progress(options.quiet, 'starting embedded PostgreSQL (PGlite)…');
    embedded = await startEmbeddedPostgres();
    databaseUrl = embedded.databaseUrl;
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead
  try {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new DemoError(`cannot connect to PostgreSQL at ${describeTarget(databaseUrl)}: ${message}`, {
        cause: error,
      });
    }
    const size: DatasetSize = {
      orders: options.rows,
      customers: Math.max(100, Math.round(options.rows / 10)),
      products: Math.max(10, Math.round(options.rows / 100)),
    };
    progress(options.quiet, `loading the sample dataset (${size.orders.toLocaleString('en-US')} orders)…`);
    let dataset: Awaited<ReturnType<typeof loadSampleDataset>>;
    try {
      dataset = await loadSampleDataset(client, size);
    } finally {
      client.release();
    }
    const version = await pool.query<{ version: string }>('SELECT version()');
    const report = {
      database: {
        target: embedded
          ? `embedded PGlite (${embedded.reused ? 'warm' : 'first'} start, ${embedded.dataDir})`
          : describeTarget(databaseUrl),
        version: version.rows[0]?.version.split(' on ')[0] ?? 'unknown',
        tables: dataset.tables,
        datasetLoadedNow: dataset.loaded,
        datasetMillis: dataset.millis,
      },
      totalMillis: Date.now() - started,
    };
    return report;
  } finally {
    await pool.end();
    await embedded?.stop();
  }
}

export { DEFAULT_DATASET_SIZE };
