/**
 * `perf-kit advise`: the index advisor from the command line, against any PostgreSQL. Reads the
 * workload from `pg_stat_statements` (default) or from a file of statements, verifies candidates
 * with HypoPG (or, with --real-indexes, with real indexes inside a rolled-back transaction), and
 * prints `CREATE INDEX CONCURRENTLY` statements. It never creates an index.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createQueryOptimizer } from '../shared/query-optimizer/index.js';
import { describeTarget } from './demo/connection-target.js';

export const ADVISE_HELP = `perf-kit advise — index suggestions verified by the planner

Usage:
  perf-kit advise [flags]

flags:
  --database-url URL   the database (default: $DATABASE_URL)
  --queries PATH       statements to advise on, separated by ';' (default: the top of pg_stat_statements)
  --real-indexes       without HypoPG: check each candidate with a real index in a rolled-back
                       transaction (takes a SHARE lock on the table while it builds)
  --min-saving N       keep indexes that cut planned cost by at least N % (default 50)
  --json               print the advice as JSON
  -h, --help           this text

Exit code: 0 on success (with or without suggestions), 1 on errors, 2 for usage errors.
`;

/**
 * Runs `perf-kit advise` and returns its exit code.
 *
 * @example
 * ```ts
 * process.exitCode = await adviseCommand(['--queries', 'workload.sql']);
 * ```
 */
export async function adviseCommand(args: string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    values = parse(args).values;
  } catch (error) {
    process.stderr.write(`perf-kit advise: ${(error as Error).message}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(ADVISE_HELP);
    return 0;
  }
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  if (!databaseUrl) {
    process.stderr.write('perf-kit advise: no database: pass --database-url or set DATABASE_URL\n');
    return 2;
  }
  const minSaving = Number(values['min-saving'] ?? 50);
  if (!Number.isFinite(minSaving) || minSaving <= 0 || minSaving >= 100) {
    process.stderr.write(
      `perf-kit advise: --min-saving must be a number between 0 and 100; received '${values['min-saving']}'\n`,
    );
    return 2;
  }
  const queries = values.queries
    ? readFileSync(values.queries, 'utf8')
        .split(/;\s*(?:\n|$)/)
        .map((q) => q.trim())
        .filter((q) => q.length > 0)
    : undefined;
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, application_name: 'perf-kit-advise' });
  pool.on('error', () => undefined);
  const optimizer = createQueryOptimizer(pool);
  try {
    const advice = await optimizer.suggestIndexes({
      minCostSaving: minSaving / 100,
      verifyWithRealIndexes: values['real-indexes'] === true,
      ...(queries ? { queries } : { includePgStatStatements: true }),
    });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(advice, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(
      `-- ${advice.queriesAnalyzed} queries analysed, ${advice.candidatesTried} candidates tried (${advice.method})\n`,
    );
    for (const note of advice.notes) process.stdout.write(`-- ${note}\n`);
    for (const suggestion of advice.suggestions) {
      process.stdout.write(
        `-- saves ${Math.round(suggestion.saving * 100)}% of planned cost for ${suggestion.queries.length} query(ies)\n`,
      );
      process.stdout.write(`${suggestion.statement};\n`);
    }
    if (advice.suggestions.length === 0) process.stdout.write('-- no index would pay for itself\n');
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`perf-kit advise: ${describeTarget(databaseUrl)}: ${message}\n`);
    return 1;
  } finally {
    await optimizer.close();
    await pool.end();
  }
}

function parse(args: string[]) {
  return parseArgs({
    args,
    options: {
      'database-url': { type: 'string' },
      queries: { type: 'string' },
      'real-indexes': { type: 'boolean', default: false },
      'min-saving': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
}
