import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configureObservability, resetObservability } from '../../../lambda/shared/observability/index.js';
import { createQueryOptimizer, type Queryable } from '../../../lambda/shared/query-optimizer/index.js';

const pool: Queryable = {
  query: async () => ({ command: 'SELECT', rowCount: 1, rows: [{ a: 1 }], fields: [], oid: 0 }),
  connect: async () => {
    throw new Error('not used');
  },
};

describe('optimizer metrics', () => {
  afterEach(() => {
    resetObservability();
    vi.restoreAllMocks();
  });

  it('publishes cache hits, misses, hit rate and query duration through the shared Metrics', async () => {
    // Prepare
    const metrics = new Metrics({ namespace: 'test', serviceName: 'optimizer' });
    configureObservability({ metrics });
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const optimizer = createQueryOptimizer(pool);
    // Act
    for (let i = 0; i < 4; i++) await optimizer.execute('SELECT 1 AS a', [], { cache: true });
    optimizer.publishMetrics();
    metrics.publishStoredMetrics();
    vi.restoreAllMocks();
    // Assess
    const emf = JSON.parse(lines.find((l) => l.includes('"CacheHit"')) ?? '{}');
    expect(emf.CacheHit).toBe(3);
    expect(emf.CacheMiss).toBe(1);
    expect(emf.CacheHitRate).toBe(75);
    expect(typeof emf.QueryDuration).toBe('number');
    await optimizer.close();
  });
});
