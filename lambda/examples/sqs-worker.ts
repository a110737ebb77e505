/**
 * The SQS worker: each message is an order event; valid events are written to PostgreSQL in
 * multi-row INSERTs through a batch writer; the batch response names exactly the records that
 * failed (malformed, invalid, or not written), so SQS redelivers only those and, after
 * `maxReceiveCount`, moves them to the DLQ. Nothing is dropped silently.
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { createBatchWriter, pgInsertWriteFn, processSQSBatch } from '../shared/batch-processor/index.js';
import { flushMetrics } from '../shared/observability/index.js';
import { getDatabase, publishDatabaseMetrics } from './shared/database.js';

/** The body of an order event message. */
export interface OrderEvent {
  orderId: number;
  customerId: number;
  productId: number;
  quantity: number;
  status: 'created' | 'paid' | 'shipped' | 'delivered' | 'cancelled';
}

const STATUSES = new Set(['created', 'paid', 'shipped', 'delivered', 'cancelled']);
const positiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
// Issues are logged: they name what kind of value came, never the value (bodies stay out of logs).
const describeType = (v: unknown): string =>
  v === undefined
    ? 'nothing'
    : v === null
      ? 'null'
      : typeof v === 'number'
        ? Number.isInteger(v)
          ? 'an integer out of range'
          : 'a fraction'
        : `a ${typeof v}`;

/**
 * A Standard Schema validator for {@link OrderEvent} (zod, valibot or arktype work the same way;
 * this one has no dependency).
 *
 * @example
 * ```ts
 * orderEventSchema['~standard'].validate({ orderId: 1, customerId: 2, productId: 3, quantity: 1, status: 'paid' });
 * ```
 */
export const orderEventSchema: StandardSchemaV1<unknown, OrderEvent> = {
  '~standard': {
    version: 1,
    vendor: 'lambda-perf-kit-example',
    validate(value) {
      const issues: StandardSchemaV1.Issue[] = [];
      const v = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      for (const key of ['orderId', 'customerId', 'productId', 'quantity'] as const) {
        if (!positiveInt(v[key]))
          issues.push({
            message: `${key} must be a positive integer; received ${describeType(v[key])}`,
            path: [key],
          });
      }
      if (!STATUSES.has(v.status as string)) {
        issues.push({
          message: `status must be one of ${[...STATUSES].join(', ')}; received ${describeType(v.status)}`,
          path: ['status'],
        });
      }
      return issues.length > 0 ? { issues } : { value: v as unknown as OrderEvent };
    },
  },
};

/** The table the worker writes (created by {@link ensureOrderEventsTable}). */
export const ORDER_EVENTS_TABLE = 'order_events';

/**
 * Creates the worker's table if missing (idempotent; the demo and tests call it, a migration
 * would in production).
 *
 * @example
 * ```ts
 * await ensureOrderEventsTable();
 * ```
 */
export async function ensureOrderEventsTable(): Promise<void> {
  await (await getDatabase()).pool.query(`CREATE TABLE IF NOT EXISTS ${ORDER_EVENTS_TABLE} (
    message_id text PRIMARY KEY, order_id integer NOT NULL, customer_id integer NOT NULL, product_id integer NOT NULL,
    quantity integer NOT NULL, status text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`);
}

type Row = {
  message_id: string;
  order_id: number;
  customer_id: number;
  product_id: number;
  quantity: number;
  status: string;
};

/**
 * The Lambda handler (event source mapping with `ReportBatchItemFailures`).
 *
 * @example
 * ```ts
 * const { batchItemFailures } = await handler(makeSqsEvent([{ orderId: 1, customerId: 2, productId: 3, quantity: 1, status: 'paid' }]), makeContext());
 * ```
 */
export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  const { pool } = await getDatabase();
  // Per invocation, never module scope: several invocations may share this environment.
  const writer = createBatchWriter<Row>(
    pgInsertWriteFn(
      pool,
      ORDER_EVENTS_TABLE,
      ['message_id', 'order_id', 'customer_id', 'product_id', 'quantity', 'status'],
      {
        // A redelivered message that was already written is not a failure.
        suffix: 'ON CONFLICT (message_id) DO NOTHING',
      },
    ),
    // Records are handled concurrently; rows arriving within 5 ms share one multi-row INSERT.
    { maxBatchSize: 100, maxWaitMs: 5, flushOnExit: false },
  );
  try {
    return await processSQSBatch<OrderEvent>(
      event,
      async (record, _context, { body }) => {
        // Resolves when the row is in PostgreSQL, rejects when it is not: the record then fails
        // and SQS redelivers it.
        await writer.write({
          message_id: record.messageId,
          order_id: body.orderId,
          customer_id: body.customerId,
          product_id: body.productId,
          quantity: body.quantity,
          status: body.status,
        });
      },
      {
        schema: orderEventSchema,
        parallelProcessing: true,
        maxConcurrency: 25,
        ...(context ? { context } : {}),
      },
    );
  } finally {
    await writer.close();
    await publishDatabaseMetrics();
    flushMetrics();
  }
}
