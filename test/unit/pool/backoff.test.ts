import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../../../lambda/shared/connection-pool/index.js';

describe('fullJitterDelay', () => {
  it('doubles the ceiling per retry up to the cap', () => {
    const highest = () => 0.999_999;
    expect(fullJitterDelay(1, 50, 1000, highest)).toBe(49);
    expect(fullJitterDelay(2, 50, 1000, highest)).toBe(99);
    expect(fullJitterDelay(3, 50, 1000, highest)).toBe(199);
    expect(fullJitterDelay(6, 50, 1000, highest)).toBe(999);
    expect(fullJitterDelay(20, 50, 1000, highest)).toBe(999);
  });

  it('draws the whole range down to zero (full jitter)', () => {
    expect(fullJitterDelay(5, 50, 1000, () => 0)).toBe(0);
    const samples = Array.from({ length: 2000 }, () => fullJitterDelay(4, 50, 1000));
    expect(Math.min(...samples)).toBeLessThan(40);
    expect(Math.max(...samples)).toBeGreaterThan(360);
    expect(Math.max(...samples)).toBeLessThan(400);
  });
});
