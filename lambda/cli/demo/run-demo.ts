/**
 * `npm start`: the local demo. With no DATABASE_URL it starts the embedded PostgreSQL (PGlite);
 * loads the sample dataset; runs each module's section and the example handlers against it; prints
 * one report and writes report.json and a self-contained report.html.
 */
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import { describeTarget } from './connection-target.js';
import { type DatasetSize, DEFAULT_DATASET_SIZE, loadSampleDataset } from './dataset.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { type DemoReport, renderHtml, renderText } from './report.js';
import type { DemoContext, DemoSection } from './types.js';

/** Flags of `perf-kit demo` (`npm start -- --help`). */
export interface DemoOptions {
  rows: number;
  messages: number;
  databaseUrl?: string;
  redisUrl?: string;
  jsonPath: string;
  htmlPath: string;
  quiet: boolean;
  /** Only these sections (by key), e.g. ['pool']. @default - all */
  only?: string[];
}

/** Thrown for failures the user can fix (bad DATABASE_URL, ...): printed as one line, exit 1. */
export class DemoError extends Error {
  override name = 'DemoError';
}

/** A demo section: its key (for `--only`) and how to load it. Loaded lazily, one at a time. */
interface SectionEntry {
  key: string;
  title: string;
  run: (ctx: DemoContext) => Promise<DemoSection>;
}

export const SECTIONS: SectionEntry[] = [
  {
    key: 'pool',
    title: 'Connection pool',
    run: async (ctx) => (await import('./sections/pool.js')).runPoolSection(ctx),
  },
  {
    key: 'optimizer',
    title: 'Query optimizer',
    run: async (ctx) => (await import('./sections/optimizer.js')).runOptimizerSection(ctx),
  },
  {
    key: 'lazy',
    title: 'Lazy loading and code splitting',
    run: async (ctx) => (await import('./sections/lazy.js')).runLazySection(ctx),
  },
  {
    key: 'batch',
    title: 'SQS batch processing',
    run: async (ctx) => (await import('./sections/batch.js')).runBatchSection(ctx),
  },
  {
    key: 'worker',
    title: 'Example SQS worker',
    run: async (ctx) => (await import('./sections/worker.js')).runWorkerSection(ctx),
  },
  {
    key: 'handlers',
    title: 'Example handlers',
    run: async (ctx) => (await import('./sections/handlers.js')).runHandlersSection(ctx),
  },
];

/**
 * Runs the demo end to end and returns the report it printed.
 *
 * @example
 * ```ts
 * await runDemo({ rows: 10_000, messages: 100, jsonPath: 'report.json', htmlPath: 'report.html', quiet: true });
 * ```
 */
export async function runDemo(options: DemoOptions): Promise<DemoReport> {
  const started = Date.now();
  const progress = (text: string): void => {
    if (!options.quiet) process.stderr.write(`• ${text}\n`);
  };
  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    progress('starting embedded PostgreSQL (PGlite)…');
    embedded = await startEmbeddedPostgres({ maxConnections: 32 });
    databaseUrl = embedded.databaseUrl;
  }
  try {
    const setup = new pg.Pool({ connectionString: databaseUrl, max: 1, connectionTimeoutMillis: 10_000 });
    setup.on('error', () => undefined); // an idle client's error surfaces on its next use instead
    let version: string;
    let dataset: Awaited<ReturnType<typeof loadSampleDataset>>;
    try {
      let client: pg.PoolClient;
      try {
        client = await setup.connect();
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
      progress(`loading the sample dataset (${size.orders.toLocaleString('en-US')} orders)…`);
      try {
        dataset = await loadSampleDataset(client, size);
        version = (await client.query<{ version: string }>('SELECT version()')).rows[0]?.version ?? 'unknown';
      } finally {
        client.release();
      }
    } finally {
      await setup.end();
    }

    const ctx: DemoContext = {
      databaseUrl,
      embedded: embedded !== undefined,
      rows: options.rows,
      messages: options.messages,
      progress,
      ...(options.redisUrl ? { redisUrl: options.redisUrl } : {}),
    };
    const datasetSection: DemoSection = {
      title: 'Sample dataset',
      summary:
        'The tables every section below queries: skewed like real traffic (a few customers and products get most orders), primary keys only.',
      figures: {
        ...Object.fromEntries(Object.entries(dataset.tables).map(([table, rows]) => [`${table} rows`, rows])),
        [dataset.loaded ? 'load time (ms)' : 'reused from last run (ms)']: dataset.millis,
      },
    };
    const sections: DemoSection[] = [datasetSection];
    let failures = 0;
    for (const entry of SECTIONS) {
      if (options.only && !options.only.includes(entry.key)) continue;
      progress(`${entry.title}…`);
      try {
        sections.push(await entry.run(ctx));
      } catch (error) {
        failures++;
        const message = error instanceof Error ? error.message : String(error);
        sections.push({
          title: entry.title,
          summary: 'This section failed; the error is below.',
          figures: {},
          warnings: [message],
        });
      }
    }
    const report: DemoReport = {
      title: 'lambda-perf-kit demo report',
      generatedAt: new Date().toISOString(),
      environment: {
        database: embedded
          ? `embedded PGlite (${embedded.reused ? 'warm start' : 'first start'})`
          : describeTarget(databaseUrl),
        'server version': version.split(' on ')[0] ?? version,
        cache: options.redisUrl
          ? `memory + Redis (${new URL(options.redisUrl).host})`
          : 'memory only (set REDIS_URL for L2)',
        node: process.version,
        machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB`,
      },
      sections,
      totalMillis: Date.now() - started,
    };
    writeFileSync(options.jsonPath, `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(options.htmlPath, renderHtml(report));
    process.stdout.write(renderText(report));
    process.stdout.write(`report: ${resolve(options.jsonPath)}, ${resolve(options.htmlPath)}\n`);
    if (failures > 0) throw new DemoError(`${failures} demo section(s) failed; see the report above`);
    return report;
  } finally {
    await embedded?.stop();
  }
}

export { DEFAULT_DATASET_SIZE };
