/**
 * Reads an `EXPLAIN (FORMAT JSON)` plan and reports what is wrong with it: the node, the numbers,
 * and the fix.
 */
import { OPTIMIZER_DEFAULTS } from './constants.js';
import type { ExplainThresholds, PlanFinding } from './types.js';

type PlanNode = Record<string, unknown> & { Plans?: PlanNode[] };

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function label(node: PlanNode): string {
  const type = String(node['Node Type'] ?? 'node');
  const relation = node['Relation Name'];
  const index = node['Index Name'];
  if (relation)
    return `${type} on ${String(relation)}${node.Alias && node.Alias !== relation ? ` ${String(node.Alias)}` : ''}`;
  if (index) return `${type} using ${String(index)}`;
  return type;
}

/** Resolved thresholds. */
export type ResolvedThresholds = Required<ExplainThresholds>;

/**
 * Fills in the defaults and checks ranges.
 *
 * @example
 * ```ts
 * const t = resolveThresholds({ seqScanRows: 50_000 });
 * ```
 */
export function resolveThresholds(t: ExplainThresholds = {}): ResolvedThresholds {
  const resolved: ResolvedThresholds = {
    seqScanRows: t.seqScanRows ?? OPTIMIZER_DEFAULTS.seqScanRows,
    nestedLoopMillis: t.nestedLoopMillis ?? OPTIMIZER_DEFAULTS.nestedLoopMillis,
    nestedLoopRows: t.nestedLoopRows ?? OPTIMIZER_DEFAULTS.nestedLoopRows,
    misestimateFactor: t.misestimateFactor ?? OPTIMIZER_DEFAULTS.misestimateFactor,
    filterRemovedShare: t.filterRemovedShare ?? OPTIMIZER_DEFAULTS.filterRemovedShare,
    filterRemovedMinRows: t.filterRemovedMinRows ?? OPTIMIZER_DEFAULTS.filterRemovedMinRows,
    nodeTimeShare: t.nodeTimeShare ?? OPTIMIZER_DEFAULTS.nodeTimeShare,
  };
  for (const [field, value] of Object.entries(resolved)) {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`thresholds.${field} must be a finite number >= 0 (received ${String(value)})`);
    }
  }
  if (resolved.filterRemovedShare > 1 || resolved.nodeTimeShare > 1) {
    throw new RangeError(
      `thresholds.filterRemovedShare and nodeTimeShare must be in 0..1 (received ${resolved.filterRemovedShare}, ${resolved.nodeTimeShare})`,
    );
  }
  if (resolved.misestimateFactor < 1) {
    throw new RangeError(
      `thresholds.misestimateFactor must be >= 1 (received ${resolved.misestimateFactor})`,
    );
  }
  return resolved;
}

/** Context the plan alone does not carry. */
export interface PlanContext {
  /** Whether the plan has actual numbers (EXPLAIN ANALYZE). */
  analyzed: boolean;
  /** Estimated rows of tables (pg_class.reltuples), for seq scans in plans without ANALYZE. */
  tableRows?: ReadonlyMap<string, number>;
}

/**
 * Findings of one plan (`rows[0]['QUERY PLAN']` of `EXPLAIN (FORMAT JSON ...)`).
 *
 * @example
 * ```ts
 * const { rows } = await client.query('EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) SELECT * FROM orders WHERE total > 10');
 * const findings = analyzePlan(rows[0]['QUERY PLAN'], resolveThresholds(), { analyzed: true });
 * ```
 */
export function analyzePlan(
  explainJson: unknown,
  thresholds: ResolvedThresholds,
  ctx: PlanContext,
): PlanFinding[] {
  const top = (Array.isArray(explainJson) ? explainJson[0] : explainJson) as
    | Record<string, unknown>
    | undefined;
  const root = top?.Plan as PlanNode | undefined;
  if (!root) return [];
  const totalTime = num(top?.['Execution Time']) || num(root['Actual Total Time']);
  const findings: PlanFinding[] = [];
  const visit = (node: PlanNode): void => {
    inspect(node, thresholds, ctx, totalTime, findings);
    for (const child of node.Plans ?? []) visit(child);
  };
  visit(root);
  return findings;
}

function inspect(
  node: PlanNode,
  t: ResolvedThresholds,
  ctx: PlanContext,
  totalTime: number,
  out: PlanFinding[],
): void {
  const type = String(node['Node Type'] ?? '');
  const loops = Math.max(1, num(node['Actual Loops']));
  const actualRows = num(node['Actual Rows']);
  const planRows = num(node['Plan Rows']);
  const removed = num(node['Rows Removed by Filter']) * loops;
  const name = label(node);

  if (type === 'Seq Scan') {
    const relation = String(node['Relation Name'] ?? '');
    const scanned = ctx.analyzed ? actualRows * loops + removed : (ctx.tableRows?.get(relation) ?? planRows);
    if (scanned > t.seqScanRows) {
      const filter = node.Filter ? ` filtered by ${String(node.Filter)}` : '';
      out.push({
        kind: 'seq-scan',
        node: name,
        message: `sequential scan reads ${Math.round(scanned)} rows${filter}`,
        fix: node.Filter
          ? `index the filtered column(s) of ${relation} (see suggestIndexes())`
          : `the query reads the whole of ${relation}: add a selective WHERE, a LIMIT, or an index matching it`,
        numbers: { rowsScanned: Math.round(scanned), threshold: t.seqScanRows },
      });
    }
  }

  if (ctx.analyzed && 'Actual Rows' in node && node['Actual Loops'] !== 0) {
    const high = Math.max(actualRows, planRows, 1);
    const low = Math.max(Math.min(actualRows, planRows), 1);
    const factor = high / low;
    if (factor >= t.misestimateFactor && high - low >= 100) {
      const bucket = factor >= 1000 ? 1000 : factor >= 100 ? 100 : 10;
      out.push({
        kind: 'row-misestimate',
        node: name,
        message: `planner estimated ${planRows} rows, got ${actualRows} (off by ×${bucket}+)`,
        fix: node['Relation Name']
          ? `ANALYZE ${String(node['Relation Name'])}; for correlated columns CREATE STATISTICS, or raise the column's statistics target`
          : 'ANALYZE the tables below this node; consider CREATE STATISTICS for correlated predicates',
        numbers: { estimatedRows: planRows, actualRows, factor: Math.round(factor), bucket },
      });
    }
  }

  if (ctx.analyzed && removed >= t.filterRemovedMinRows) {
    const seen = removed + actualRows * loops;
    const share = seen > 0 ? removed / seen : 0;
    if (share >= t.filterRemovedShare) {
      out.push({
        kind: 'rows-removed-by-filter',
        node: name,
        message: `filter ${String(node.Filter ?? '')} removed ${removed} of ${seen} rows (${(share * 100).toFixed(1)}%)`,
        fix: 'an index on the filtered column(s) lets PostgreSQL read only the matching rows (see suggestIndexes())',
        numbers: { rowsRemoved: removed, rowsSeen: seen, share },
      });
    }
  }

  if (type === 'Nested Loop') {
    const outer = node.Plans?.[0];
    const outerRows = outer
      ? ctx.analyzed
        ? num(outer['Actual Rows']) * Math.max(1, num(outer['Actual Loops']))
        : num(outer['Plan Rows'])
      : 0;
    const millis = num(node['Actual Total Time']) * loops;
    if ((ctx.analyzed && millis > t.nestedLoopMillis) || outerRows > t.nestedLoopRows) {
      out.push({
        kind: 'nested-loop',
        node: name,
        message: `nested loop over ${Math.round(outerRows)} outer rows${ctx.analyzed ? ` took ${millis.toFixed(1)} ms` : ''}`,
        fix: 'index the inner side’s join key, or check the row estimate (a misestimate makes the planner pick a nested loop)',
        numbers: { outerRows, millis, thresholdMillis: t.nestedLoopMillis, thresholdRows: t.nestedLoopRows },
      });
    }
  }

  const sortSpace = String(node['Sort Space Type'] ?? '');
  if (sortSpace === 'Disk') {
    const usedKb = num(node['Sort Space Used']);
    out.push({
      kind: 'disk-spill',
      node: name,
      message: `sort spilled ${usedKb} kB to disk (${String(node['Sort Method'] ?? '')})`,
      fix: `SET work_mem = '${Math.max(4, Math.ceil((usedKb * 2) / 1024))}MB' for this query (or index the ORDER BY columns)`,
      numbers: { diskKb: usedKb },
    });
  }
  const batches = Math.max(num(node['Hash Batches']), num(node['Original Hash Batches']));
  if (type === 'Hash' && batches > 1) {
    const peakKb = num(node['Peak Memory Usage']);
    out.push({
      kind: 'disk-spill',
      node: name,
      message: `hash split into ${batches} batches (spilled to disk), peak memory ${peakKb} kB`,
      fix: `SET work_mem = '${Math.max(4, Math.ceil((peakKb * batches * 1.5) / 1024))}MB' for this query`,
      numbers: { batches, peakKb },
    });
  }
  const lossy = num(node['Lossy Heap Blocks']);
  if (lossy > 0) {
    out.push({
      kind: 'lossy-bitmap',
      node: name,
      message: `bitmap heap scan went lossy on ${lossy} blocks (rechecks every row of them)`,
      fix: 'raise work_mem so the bitmap stays exact, or use a more selective index',
      numbers: { lossyBlocks: lossy, exactBlocks: num(node['Exact Heap Blocks']) },
    });
  }

  if (ctx.analyzed && totalTime > 0) {
    const childTime = (node.Plans ?? []).reduce(
      (sum, c) => sum + num(c['Actual Total Time']) * Math.max(1, num(c['Actual Loops'])),
      0,
    );
    const self = Math.max(0, num(node['Actual Total Time']) * loops - childTime);
    const share = self / totalTime;
    if (share >= t.nodeTimeShare && self >= 1) {
      out.push({
        kind: 'hot-node',
        node: name,
        message: `${(share * 100).toFixed(0)}% of the time (${self.toFixed(1)} of ${totalTime.toFixed(1)} ms) is spent in this node`,
        fix: 'start here: see the other findings for this node',
        numbers: { selfMillis: self, totalMillis: totalTime, share },
      });
    }
  }
}
