import { Logger } from '@aws-lambda-powertools/logger';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchWriteError,
  createBatchWriter,
  pgInsertWriteFn,
  processSQSBatch,
} from '../../../lambda/shared/batch-processor/index.js';
import { configureObservability, resetObservability } from '../../../lambda/shared/observability/index.js';
import { makeSqsEvent } from '../../helpers/events.js';
import { databaseUrl } from '../../helpers/services.js';

const table = `batch_it_events_${process.pid}`;
let pool: pg.Pool;

describe('batch writer → PostgreSQL multi-row INSERT', () => {
  beforeAll(async () => {
    configureObservability({ logger: new Logger({ logLevel: 'SILENT' }) });
    pool = new pg.Pool({ connectionString: databaseUrl(), max: 4, application_name: 'perfkit-batch-it' });
    await pool.query(`DROP TABLE IF EXISTS ${table}`);
    await pool.query(`CREATE TABLE ${table} (id int PRIMARY KEY, payload jsonb NOT NULL)`);
  });
  afterAll(async () => {
    await pool?.query(`DROP TABLE IF EXISTS ${table}`);
    await pool?.end();
    resetObservability();
  });

  it('turns per-record writes of a batch into a few multi-row INSERTs', async () => {
    // Prepare
    await pool.query(`TRUNCATE ${table}`);
    const writer = createBatchWriter(pgInsertWriteFn(pool, table, ['id', 'payload']), {
      maxBatchSize: 50,
      maxWaitMs: 5,
      metrics: false,
    });
    const event = makeSqsEvent(Array.from({ length: 200 }, (_, id) => ({ id, name: `n${id}` })));

    // Act
    const response = await processSQSBatch<{ id: number; name: string }>(
      event,
      (_record, _context, { body }) => writer.write({ id: body.id, payload: JSON.stringify(body) }),
      { parseJson: true, maxConcurrency: 50, metrics: false },
    );
    await writer.close();

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
    expect(rows[0].n).toBe(200);
    expect(writer.stats.flushes).toBeLessThanOrEqual(10);
    expect(writer.stats.written).toBe(200);
  });

  it('fails the records whose INSERT failed, and no others', async () => {
    await pool.query(`TRUNCATE ${table}`);
    await pool.query(`INSERT INTO ${table} VALUES (5, '{}')`);
    const writer = createBatchWriter(pgInsertWriteFn(pool, table, ['id', 'payload']), {
      maxBatchSize: 10,
      maxWaitMs: 5,
      metrics: false,
    });
    const event = makeSqsEvent(Array.from({ length: 20 }, (_, id) => ({ id })));
    const errors: unknown[] = [];
    const response = await processSQSBatch<{ id: number }>(
      event,
      async (_record, _context, { body }) => {
        try {
          await writer.write({ id: body.id, payload: '{}' });
        } catch (error) {
          errors.push(error);
          throw error;
        }
      },
      { parseJson: true, maxConcurrency: 10, parallelProcessing: true, metrics: false },
    );
    await writer.close();
    // id 5 collides: its whole statement (a chunk of up to 10 rows) rolls back, those records fail.
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    expect(failed.has(event.Records[5]?.messageId as string)).toBe(true);
    expect(errors.every((e) => e instanceof BatchWriteError)).toBe(true);
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
    expect(rows[0].n).toBe(1 + 20 - failed.size);
  });
});
