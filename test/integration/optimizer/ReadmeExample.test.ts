/** The README example (docs/readme/optimizer.md), run against the real PostgreSQL and Redis. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueryOptimizer } from '../../../lambda/shared/query-optimizer/index.js';
import { redisUrl } from '../../helpers/services.js';
import { createFixture, type Fixture, uniquePrefix } from './fixtures.js';

describe('README example', () => {
  let fx: Fixture;
  beforeAll(async () => {
    fx = await createFixture({}, true);
    await fx.sql(`CREATE TABLE ${fx.schema}.customers (id int PRIMARY KEY, email text, tier text)`);
    await fx.sql(`INSERT INTO ${fx.schema}.customers VALUES (7, 'c7@example.com', 'standard')`);
  });
  afterAll(async () => {
    await fx.drop();
  });

  it('caches per tenant, invalidates on the write, and publishes metrics', async () => {
    const pool = fx.pool;
    const optimizer = createQueryOptimizer(pool, {
      redis: { url: redisUrl(), keyPrefix: uniquePrefix() },
      slowQueryMillis: 500,
    });
    async function handler(event: { tenant: string; customerId: number }) {
      const { rows, source } = await optimizer.execute(
        'SELECT id, email, tier FROM customers WHERE id = $1',
        [event.customerId],
        { cache: true, cacheTTL: 30_000, namespace: { tenant: event.tenant } },
      );
      await optimizer.execute('UPDATE customers SET tier = $1 WHERE id = $2', ['gold', event.customerId]);
      optimizer.publishMetrics();
      return { customer: rows[0], source };
    }
    const first = await handler({ tenant: 'acme', customerId: 7 });
    const second = await handler({ tenant: 'acme', customerId: 7 });
    expect(first).toEqual({
      customer: { id: 7, email: 'c7@example.com', tier: 'standard' },
      source: 'database',
    });
    expect(second).toEqual({
      customer: { id: 7, email: 'c7@example.com', tier: 'gold' },
      source: 'database',
    });
    expect(optimizer.getCacheStats().invalidations).toBe(2);
    await optimizer.close();
  });
});
