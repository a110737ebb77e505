import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSampleDataset } from '../../../lambda/cli/demo/dataset.js';
import { createScratchDatabase, type ScratchDatabase } from '../../helpers/database.js';
import {
  makeApiGatewayV2Event,
  makeContext,
  makeScheduledEvent,
  makeSqsEvent,
  makeSqsRecord,
} from '../../helpers/events.js';

type Api = typeof import('../../../lambda/examples/performance-optimized-handler.js');
type Worker = typeof import('../../../lambda/examples/sqs-worker.js');
type Maintenance = typeof import('../../../lambda/examples/maintenance-handler.js');

describe('example handlers against a real PostgreSQL', () => {
  let db: ScratchDatabase;
  let api: Api;
  let worker: Worker;
  let maintenance: Maintenance;
  let check: pg.Client;

  beforeAll(async () => {
    db = await createScratchDatabase('examples');
    check = new pg.Client({ connectionString: db.url });
    await check.connect();
    await loadSampleDataset(check, { orders: 30_000, customers: 3_000, products: 300 });
    process.env.DATABASE_URL = db.url;
    process.env.SLOW_QUERY_MILLIS = '0';
    delete process.env.REDIS_URL;
    api = await import('../../../lambda/examples/performance-optimized-handler.js');
    worker = await import('../../../lambda/examples/sqs-worker.js');
    maintenance = await import('../../../lambda/examples/maintenance-handler.js');
    await worker.ensureOrderEventsTable();
  }, 120_000);

  afterAll(async () => {
    const database = await import('../../../lambda/examples/shared/database.js');
    await database.closeDatabase();
    await check.end();
    await db.drop();
  });

  const call = async (path: string, options: Parameters<typeof makeApiGatewayV2Event>[1] = {}) =>
    (await api.handler(
      makeApiGatewayV2Event(path, options),
      makeContext(),
    )) as APIGatewayProxyStructuredResultV2;

  describe('API read path', () => {
    it('answers /health', async () => {
      const response = await call('/health');
      expect(response.statusCode).toBe(200);
      expect(JSON.parse(response.body ?? '')).toEqual({ status: 'ok' });
    });

    it('reads a product from the database, then from the cache', async () => {
      const event = { route: '/products/{id}', pathParameters: { id: '7' } };
      const first = await call('/products/7', event);
      const second = await call('/products/7', event);
      expect(first.statusCode).toBe(200);
      expect(JSON.parse(first.body ?? '').id).toBe(7);
      expect(first.headers?.['x-cache']).toBe('database');
      expect(second.headers?.['x-cache']).toBe('l1');
      expect(second.body).toBe(first.body);
    });

    it('rejects a bad id with a 400 that says what was received', async () => {
      const response = await call('/products/abc', {
        route: '/products/{id}',
        pathParameters: { id: 'abc' },
      });
      expect(response.statusCode).toBe(400);
      expect(response.body).toContain("received 'abc'");
    });

    it('answers an unknown route with a 404 listing the known routes', async () => {
      const response = await call('/nope');
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('GET /health');
    });

    it('lists a customer’s latest orders and the top products of a category', async () => {
      const orders = await call('/customers/1/orders', {
        route: '/customers/{id}/orders',
        pathParameters: { id: '1' },
      });
      const top = await call('/reports/top-products', { queryStringParameters: { category: 'books' } });
      const bad = await call('/reports/top-products', { queryStringParameters: { category: 'cars' } });
      expect(orders.statusCode).toBe(200);
      expect(JSON.parse(orders.body ?? '').orders.length).toBeGreaterThan(0);
      expect(top.statusCode).toBe(200);
      expect(JSON.parse(top.body ?? '').products).toHaveLength(10);
      expect(bad.statusCode).toBe(400);
    });
  });

  describe('SQS worker', () => {
    const good = (orderId: number) => ({ orderId, customerId: 1, productId: 2, quantity: 3, status: 'paid' });

    it('writes the valid records and reports exactly the malformed and invalid ones', async () => {
      const malformed = makeSqsRecord('{not json');
      const invalid = makeSqsRecord({ ...good(99), quantity: -1 });
      const valid = Array.from({ length: 25 }, (_, i) => makeSqsRecord(good(i + 1)));
      const event = makeSqsEvent([...valid.slice(0, 10), malformed, ...valid.slice(10), invalid]);
      const response = await worker.handler(event, makeContext());
      expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
        [malformed.messageId, invalid.messageId].sort(),
      );
      const rows = await check.query(
        'SELECT count(*)::int AS n FROM order_events WHERE message_id = ANY($1)',
        [valid.map((r) => r.messageId)],
      );
      expect(rows.rows[0].n).toBe(25);
    });

    it('treats a redelivered record as done, not as a failure', async () => {
      const record = makeSqsRecord(good(500));
      await worker.handler(makeSqsEvent([record]), makeContext());
      const again = await worker.handler(makeSqsEvent([record]), makeContext());
      expect(again.batchItemFailures).toEqual([]);
    });
  });

  describe('maintenance', () => {
    it('reports slow queries and HypoPG-verified index suggestions as CREATE INDEX CONCURRENTLY', async () => {
      for (let id = 1; id <= 5; id++)
        await call(`/customers/${id + 100}/orders`, {
          route: '/customers/{id}/orders',
          pathParameters: { id: String(id + 100) },
        });
      const report = await maintenance.handler(makeScheduledEvent(), makeContext());
      expect(report.slowQueries.length).toBeGreaterThan(0);
      expect(report.advice.method).toBe('hypopg');
      const statements = report.advice.suggestions.map((s) => s.statement);
      expect(
        statements.some((s) => /CREATE INDEX CONCURRENTLY .* ON "public"\."orders" .*"customer_id"/.test(s)),
      ).toBe(true);
      for (const suggestion of report.advice.suggestions)
        expect(suggestion.saving).toBeGreaterThanOrEqual(0.5);
    });
  });
});
