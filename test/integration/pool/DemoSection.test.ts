import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleDataset } from '../../../lambda/cli/demo/dataset.js';
import { runPoolSection } from '../../../lambda/cli/demo/sections/pool.js';
import { type PrivatePostgres, startPrivatePostgres } from '../../helpers/services.js';

describe('the pool’s demo section', () => {
  let server: PrivatePostgres;
  beforeAll(async () => {
    server = startPrivatePostgres(30);
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    try {
      await loadSampleDataset(client, { orders: 2000, customers: 200, products: 20 });
    } finally {
      await client.end();
    }
  });
  afterAll(() => server?.destroy());

  it('reports pooled vs new-connection latency, a queued burst, a killed backend and the metrics', async () => {
    const progress: string[] = [];
    const section = await runPoolSection({
      databaseUrl: server.databaseUrl,
      embedded: false,
      rows: 2000,
      messages: 0,
      progress: (text) => progress.push(text),
    });
    expect(section.title).toBe('Connection pool');
    expect(section.warnings).toBeUndefined();
    const f = section.figures;
    expect(f['pooled p50 (ms)']).toBeGreaterThan(0);
    expect(f['new connection p50 (ms)']).toBeGreaterThan(f['pooled p50 (ms)'] as number);
    expect(f['pooled speed-up (×, p50)']).toBeGreaterThan(3);
    expect(f['burst: callers queued at once']).toBeGreaterThan(0);
    expect(f['killed backend']).toMatch(/killed; 1 connection\(s\) replaced, 0 error\(s\) seen by callers/);
    expect(f.health).toBe('healthy');
    const metrics = Object.fromEntries(section.tables?.[0]?.rows ?? []);
    expect(metrics).toMatchObject({ errors: 0, max: 4, peak: 4 });
    expect(section.charts?.[0]?.bars).toHaveLength(4);
    expect(progress.length).toBeGreaterThanOrEqual(3);
  });
});
