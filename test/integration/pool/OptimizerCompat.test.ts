import { describe, expect, it } from 'vitest';
import { createEnhancedPool } from '../../../lambda/shared/connection-pool/index.js';
import { createQueryOptimizer } from '../../../lambda/shared/query-optimizer/index.js';
import { databaseUrl } from '../../helpers/services.js';

describe('the enhanced pool under the query optimizer', () => {
  it('is accepted as the optimizer’s pg-compatible pool and serves its queries', async () => {
    const pool = createEnhancedPool({ connectionString: databaseUrl(), max: 2 });
    const optimizer = createQueryOptimizer(pool);
    try {
      const first = await optimizer.execute('SELECT $1::int AS n', [41], { cache: true });
      const second = await optimizer.execute('SELECT $1::int AS n', [41], { cache: true });
      expect(first.rows).toEqual([{ n: 41 }]);
      expect(second.source).toBe('l1');
      expect(pool.getMetrics().totalQueries).toBeGreaterThanOrEqual(1);
      expect(pool.getMetrics().errors).toBe(0);
    } finally {
      await optimizer.close();
      await pool.end();
    }
  });
});
