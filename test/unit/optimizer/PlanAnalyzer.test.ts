import { describe, expect, it } from 'vitest';
import { analyzePlan, resolveThresholds } from '../../../lambda/shared/query-optimizer/index.js';

const plan = (root: Record<string, unknown>, executionTime?: number) => [
  { Plan: root, ...(executionTime === undefined ? {} : { 'Execution Time': executionTime }) },
];

describe('analyzePlan', () => {
  const t = resolveThresholds();

  it('reports a nested loop over many rows or past the time threshold', () => {
    const findings = analyzePlan(
      plan(
        {
          'Node Type': 'Nested Loop',
          'Actual Total Time': 1500,
          'Actual Loops': 1,
          'Actual Rows': 20,
          'Plan Rows': 20,
          Plans: [
            {
              'Node Type': 'Seq Scan',
              'Relation Name': 'a',
              'Actual Rows': 20000,
              'Plan Rows': 20000,
              'Actual Loops': 1,
              'Actual Total Time': 5,
            },
            {
              'Node Type': 'Index Scan',
              'Index Name': 'b_pkey',
              'Actual Rows': 0,
              'Plan Rows': 1,
              'Actual Loops': 20000,
              'Actual Total Time': 0.07,
            },
          ],
        },
        1510,
      ),
      t,
      { analyzed: true },
    );
    const loop = findings.find((f) => f.kind === 'nested-loop');
    expect(loop?.node).toBe('Nested Loop');
    expect(loop?.numbers.outerRows).toBe(20000);
    expect(loop?.numbers.millis).toBe(1500);
    expect(findings.find((f) => f.kind === 'hot-node')?.node).toBe('Index Scan using b_pkey');
  });

  it('reports row misestimates bucketed ×10 / ×100 / ×1000', () => {
    const buckets = [250, 2500, 25000].map((actual) => {
      const f = analyzePlan(
        plan({
          'Node Type': 'Seq Scan',
          'Relation Name': 'x',
          'Plan Rows': 4,
          'Actual Rows': actual,
          'Actual Loops': 1,
        }),
        t,
        { analyzed: true },
      ).find((x) => x.kind === 'row-misestimate');
      return f?.numbers.bucket;
    });
    expect(buckets).toEqual([10, 100, 1000]);
  });

  it('reports hash spills, disk sorts and lossy bitmaps with a work_mem fix', () => {
    const findings = analyzePlan(
      plan({
        'Node Type': 'Sort',
        'Sort Method': 'external merge',
        'Sort Space Type': 'Disk',
        'Sort Space Used': 10240,
        Plans: [
          { 'Node Type': 'Hash', 'Hash Batches': 8, 'Original Hash Batches': 8, 'Peak Memory Usage': 4096 },
          {
            'Node Type': 'Bitmap Heap Scan',
            'Relation Name': 'o',
            'Lossy Heap Blocks': 120,
            'Exact Heap Blocks': 3,
          },
        ],
      }),
      t,
      { analyzed: false },
    );
    const spills = findings.filter((f) => f.kind === 'disk-spill');
    expect(spills.map((f) => f.fix)).toEqual([
      `SET work_mem = '20MB' for this query (or index the ORDER BY columns)`,
      `SET work_mem = '48MB' for this query`,
    ]);
    expect(findings.find((f) => f.kind === 'lossy-bitmap')?.numbers.lossyBlocks).toBe(120);
  });

  it('uses table sizes for seq scans of a plan without ANALYZE, and honours thresholds', () => {
    const root = { 'Node Type': 'Seq Scan', 'Relation Name': 'big', 'Plan Rows': 10, Filter: '(a = $1)' };
    const sizes = new Map([['big', 50_000]]);
    expect(analyzePlan(plan(root), t, { analyzed: false, tableRows: sizes })[0]?.numbers.rowsScanned).toBe(
      50_000,
    );
    expect(
      analyzePlan(plan(root), resolveThresholds({ seqScanRows: 100_000 }), {
        analyzed: false,
        tableRows: sizes,
      }),
    ).toEqual([]);
    expect(analyzePlan(plan(root), t, { analyzed: false })).toEqual([]);
  });

  it('rejects thresholds out of range, naming the field and the value', () => {
    expect(() => resolveThresholds({ seqScanRows: -5 })).toThrow(/thresholds\.seqScanRows.*-5/);
    expect(() => resolveThresholds({ misestimateFactor: 0.5 })).toThrow(RangeError);
  });
});
