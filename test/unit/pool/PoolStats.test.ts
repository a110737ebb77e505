import { describe, expect, it } from 'vitest';
import { PoolStats } from '../../../lambda/shared/connection-pool/PoolStats.js';

describe('PoolStats', () => {
  it('computes the mean over all queries and the p95 over the last 1024', () => {
    const stats = new PoolStats();
    for (let i = 1; i <= 100; i++) stats.record(i, false);
    expect(stats.averageMillis()).toBe(50.5);
    expect(stats.p95Millis()).toBe(95);
    for (let i = 0; i < 1024; i++) stats.record(1, false);
    expect(stats.p95Millis()).toBe(1);
    expect(stats.queries).toBe(1124);
  });

  it('counts failures overall and among the last 100 queries', () => {
    const stats = new PoolStats();
    for (let i = 0; i < 10; i++) stats.record(1, true);
    expect(stats.recentFailures()).toEqual({ failed: 10, of: 10 });
    for (let i = 0; i < 100; i++) stats.record(1, false);
    expect(stats.recentFailures()).toEqual({ failed: 0, of: 100 });
    expect(stats.errors).toBe(10);
  });

  it('tracks the peak of open connections', () => {
    const stats = new PoolStats();
    stats.connected(1);
    stats.connected(3);
    stats.connected(2);
    expect(stats.peak).toBe(3);
    expect(stats.connectionsCreated).toBe(3);
  });

  it('reports zeros before the first query', () => {
    const stats = new PoolStats();
    expect(stats.p95Millis()).toBe(0);
    expect(stats.averageMillis()).toBe(0);
  });
});
