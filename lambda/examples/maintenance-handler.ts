/**
 * The scheduled maintenance handler (EventBridge): reports the slowest query shapes (from this
 * environment's slow-query log and, where the extension is installed, `pg_stat_statements`) with
 * their plan findings, and the indexes that would help, each verified with HypoPG. It never creates
 * an index itself: it logs the `CREATE INDEX CONCURRENTLY` statements for a human or a migration.
 */
import type { Context, EventBridgeEvent } from 'aws-lambda';
import { flushMetrics, getLogger } from '../shared/observability/index.js';
import type { IndexAdvice, SlowQueryEntry } from '../shared/query-optimizer/index.js';
import { getDatabase, publishDatabaseMetrics } from './shared/database.js';

/** What the maintenance run found. */
export interface MaintenanceReport {
  slowQueries: Array<
    Pick<
      SlowQueryEntry,
      'fingerprint' | 'normalizedSql' | 'count' | 'source' | 'meanMillis' | 'p95Millis' | 'maxMillis'
    > & { findings: string[] }
  >;
  advice: Pick<IndexAdvice, 'method' | 'notes' | 'queriesAnalyzed' | 'candidatesTried'> & {
    suggestions: Array<{ statement: string; saving: number; queries: number }>;
  };
}

/**
 * The Lambda handler.
 *
 * @example
 * ```ts
 * const report = await handler(makeScheduledEvent(), makeContext());
 * console.log(report.advice.suggestions.map((s) => s.statement));
 * ```
 */
export async function handler(
  _event: EventBridgeEvent<'Scheduled Event', unknown>,
  _context?: Context,
): Promise<MaintenanceReport> {
  const { optimizer } = await getDatabase();
  const logger = getLogger();
  try {
    const slow = await optimizer.getSlowQueries({ includePgStatStatements: true, limit: 10 });
    // Without HypoPG the advisor can check candidates with real indexes inside a rolled-back
    // transaction: opt-in, because building an index takes locks and time on the database.
    const verifyWithRealIndexes = process.env.INDEX_ADVISOR_REAL_INDEX_CHECK === 'true';
    const advice = await optimizer.suggestIndexes({ includePgStatStatements: true, verifyWithRealIndexes });
    const report: MaintenanceReport = {
      slowQueries: slow.map((entry) => ({
        fingerprint: entry.fingerprint,
        normalizedSql: entry.normalizedSql,
        source: entry.source,
        count: entry.count,
        meanMillis: entry.meanMillis,
        p95Millis: entry.p95Millis,
        maxMillis: entry.maxMillis,
        findings: entry.lastFindings.map((f) => f.message),
      })),
      advice: {
        method: advice.method,
        notes: advice.notes,
        queriesAnalyzed: advice.queriesAnalyzed,
        candidatesTried: advice.candidatesTried,
        suggestions: advice.suggestions.map((s) => ({
          statement: s.statement,
          saving: s.saving,
          queries: s.queries.length,
        })),
      },
    };
    logger.info('maintenance report', {
      slowQueries: report.slowQueries.length,
      suggestions: report.advice.suggestions,
    });
    return report;
  } finally {
    await publishDatabaseMetrics();
    flushMetrics();
  }
}
