import { describe, expect, it } from 'vitest';
import { compareInterleaved, median, percentile } from '../../../bench/harness.js';

describe('bench harness', () => {
  it('computes the median of odd and even samples', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('computes nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(95);
    expect(percentile(values, 100)).toBe(100);
  });

  it('runs both contenders the same number of times, interleaved', async () => {
    const calls: string[] = [];
    const result = await compareInterleaved(
      () => calls.push('a'),
      () => calls.push('b'),
      { quadsPerBlock: 3, blocks: 2, warmup: 0 },
    );
    expect(calls.slice(0, 4).join('')).toBe('abba');
    expect(calls.filter((c) => c === 'a')).toHaveLength(12);
    expect(calls.filter((c) => c === 'b')).toHaveLength(12);
    expect(result.samples).toBe(6);
  });
});
