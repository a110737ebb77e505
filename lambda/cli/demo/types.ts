/**
 * The contract between the demo runner and each module's demo section
 * (`lambda/cli/demo/sections/<module>.ts` exports `async function run<Module>Section(ctx)`).
 * The runner prints every section, writes them to report.json and draws report.html from them.
 */

/** What a demo section gets from the runner. */
export interface DemoContext {
  /** The PostgreSQL to use: embedded PGlite (through its socket) or the user's DATABASE_URL. */
  readonly databaseUrl: string;
  /** true when `databaseUrl` is the embedded PGlite (one shared session, no HypoPG, no statement_timeout). */
  readonly embedded: boolean;
  /** The user's REDIS_URL, if any (else the cache runs memory-only). */
  readonly redisUrl?: string;
  /** Orders in the sample dataset (tables customers, products, orders are loaded before sections run). */
  readonly rows: number;
  /** SQS messages to feed through the worker. */
  readonly messages: number;
  /** One line of progress on stderr. */
  progress(text: string): void;
}

/** A table in a section. */
export interface DemoTable {
  title: string;
  columns: string[];
  rows: Array<Array<string | number>>;
}

/** A bar chart in a section (drawn as inline SVG in report.html). */
export interface DemoChart {
  title: string;
  unit: string;
  bars: Array<{ label: string; value: number }>;
}

/** What a section returns. */
export interface DemoSection {
  /** e.g. 'Connection pool' */
  title: string;
  /** One sentence: what the numbers mean. */
  summary: string;
  /** Headline figures, e.g. { 'pooled p50 (ms)': 0.4 }. Numbers stay numbers. */
  figures: Record<string, number | string>;
  tables?: DemoTable[];
  charts?: DemoChart[];
  /** Anything that went wrong but did not stop the demo (said, never hidden). */
  warnings?: string[];
}
