/**
 * Demo section for the batch module: starts the SQS emulator in-process, creates a queue with a DLQ,
 * feeds `ctx.messages` order events (4% poison) with the feeder, processes them with processSQSBatch
 * through the local event source mapping (pollQueue), and writes the good ones to `demo_events` in
 * PostgreSQL with a batch writer (multi-row INSERTs).
 */
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { startFauxqs } from 'fauxqs';
import pg from 'pg';
import {
  type BatchStats,
  createBatchWriter,
  createSqsClient,
  feedQueue,
  pgInsertWriteFn,
  pollQueue,
  processSQSBatch,
} from '../../../shared/batch-processor/index.js';
import type { DemoContext, DemoSection } from '../types.js';
import { queueDepth } from './queue-depth.js';

interface OrderEvent {
  orderId: number;
  kind: 'created' | 'paid' | 'shipped';
  amount: number;
  poison?: boolean;
}

const KINDS = ['created', 'paid', 'shipped'] as const;

/** A hand-written Standard Schema validator: any zod/valibot schema plugs in the same way. */
const orderEventSchema: StandardSchemaV1<unknown, OrderEvent> = {
  '~standard': {
    version: 1,
    vendor: 'perf-kit-demo',
    validate: (value) => {
      const v = value as Partial<OrderEvent> | null;
      if (typeof v !== 'object' || v === null) return { issues: [{ message: 'expected an object' }] };
      if (!Number.isInteger(v.orderId))
        return { issues: [{ message: 'expected an integer', path: ['orderId'] }] };
      if (!KINDS.includes(v.kind as OrderEvent['kind'])) {
        return { issues: [{ message: `expected one of ${KINDS.join(', ')}`, path: ['kind'] }] };
      }
      if (typeof v.amount !== 'number')
        return { issues: [{ message: 'expected a number', path: ['amount'] }] };
      return { value: v as OrderEvent };
    },
  },
};

/**
 * Runs the batch demo section.
 *
 * @example
 * ```ts
 * const section = await runBatchSection(ctx);
 * console.log(section.figures['processed (msg/s)']);
 * ```
 */
export async function runBatchSection(ctx: DemoContext): Promise<DemoSection> {
  const warnings: string[] = [];
  const total = ctx.messages;
  const isPoison = (i: number): boolean => i % 25 === 13;
  const poisonCount = Array.from({ length: total }, (_, i) => i).filter(isPoison).length;
  const maxReceiveCount = 2;

  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  const client = await createSqsClient({ endpoint: `http://127.0.0.1:${server.port}`, region: 'us-east-1' });
  const pool = new pg.Pool({
    connectionString: ctx.databaseUrl,
    max: ctx.embedded ? 1 : 4,
    application_name: 'perf-kit-demo-batch',
  });
  pool.on('error', () => undefined);
  try {
    const dlq = server.createQueue('demo-orders-dlq');
    const queue = server.createQueue('demo-orders', {
      attributes: {
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount }),
      },
    });
    await pool.query(
      `CREATE TABLE IF NOT EXISTS demo_events (message_id text PRIMARY KEY, order_id integer NOT NULL,
         kind text NOT NULL, amount numeric(12,2) NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`,
    );
    await pool.query('TRUNCATE demo_events');

    // 1. Feed the queue.
    ctx.progress(`feeding ${total.toLocaleString('en-US')} messages (${poisonCount} poison) into the queue…`);
    const bodies = (function* () {
      for (let i = 0; i < total; i++) {
        const event: OrderEvent = {
          orderId: (i % Math.max(1, ctx.rows)) + 1,
          kind: KINDS[i % 3] as OrderEvent['kind'],
          amount: Math.round(((i * 7919) % 50_000) + 99) / 100,
          ...(isPoison(i) ? { poison: true } : {}),
        };
        yield JSON.stringify(event);
      }
    })();
    const fed = await feedQueue(bodies, { queueUrl: queue.queueUrl, client });
    if (fed.failed.length > 0)
      warnings.push(`${fed.failed.length} messages could not be fed: ${fed.failed[0]?.reason}`);

    // 2. Process it like Lambda would: partial batch responses, DLQ redrive for poison.
    ctx.progress('processing the queue with processSQSBatch (batches of 10, 4 concurrent "invocations")…');
    const writer = createBatchWriter(
      pgInsertWriteFn(pool, 'demo_events', ['message_id', 'order_id', 'kind', 'amount'], {
        suffix: 'ON CONFLICT (message_id) DO NOTHING',
      }),
      { maxBatchSize: 40, maxWaitMs: 5, metrics: false },
    );
    const totals: Omit<BatchStats, 'durationMs' | 'records'> & { batches: number; batchMs: number[] } = {
      processed: 0,
      failed: 0,
      retried: 0,
      timedOut: 0,
      skipped: 0,
      batches: 0,
      batchMs: [],
    };
    const dlqDepth = (): Promise<number> => queueDepth(client, dlq.queueUrl);
    const started = performance.now();
    let goodDoneMs = 0;
    const polled = await pollQueue({
      client,
      queueUrl: queue.queueUrl,
      concurrency: 4,
      idleTimeoutMs: 3_000,
      until: async () => totals.processed >= total - poisonCount && (await dlqDepth()) >= poisonCount,
      handler: async (event) => {
        const response = await processSQSBatch(
          event,
          async (record, _context, { body }) => {
            if (body.poison) throw new Error(`order ${body.orderId}: poison message`);
            await writer.write({
              message_id: record.messageId,
              order_id: body.orderId,
              kind: body.kind,
              amount: body.amount,
            });
          },
          {
            schema: orderEventSchema,
            maxConcurrency: 10,
            throwOnFullBatchFailure: false,
            metrics: false,
            logger: false, // the demo's report goes to stdout; the DLQ count below says what failed
            onStats: (s) => {
              totals.processed += s.processed;
              if (totals.processed >= total - poisonCount && goodDoneMs === 0) {
                goodDoneMs = performance.now() - started;
              }
              totals.failed += s.failed;
              totals.retried += s.retried;
              totals.timedOut += s.timedOut;
              totals.batches++;
              totals.batchMs.push(s.durationMs);
            },
          },
        );
        return response;
      },
    });
    const elapsedMs = performance.now() - started;
    await writer.close();
    const inDlq = await dlqDepth();
    const rows = Number((await pool.query('SELECT count(*)::int AS n FROM demo_events')).rows[0]?.n ?? 0);
    const lost = total - rows - inDlq;
    if (inDlq !== poisonCount) warnings.push(`expected ${poisonCount} messages in the DLQ, found ${inDlq}`);
    if (lost !== 0) warnings.push(`${lost} messages are neither in demo_events nor in the DLQ`);
    if (ctx.embedded) {
      warnings.push(
        'embedded PGlite runs one query at a time, so INSERTs serialize; a real PostgreSQL overlaps them',
      );
    }
    const sortedBatchMs = [...totals.batchMs].sort((a, b) => a - b);
    const p50 = sortedBatchMs[Math.floor(sortedBatchMs.length / 2)] ?? 0;
    const rate = (n: number, ms: number) => (ms > 0 ? Math.round((n / ms) * 1000) : 0);
    return {
      title: 'SQS batch processing',
      summary: `Fed ${fed.sent} messages, processed them 10 per batch with partial batch responses; the ${poisonCount} poison messages reached the DLQ after ${maxReceiveCount} receives, the rest were written to demo_events in ${writer.stats.flushes} multi-row INSERTs.`,
      figures: {
        sent: fed.sent,
        'feed (msg/s)': Math.round(fed.messagesPerSecond),
        processed: totals.processed,
        'failed deliveries (redelivered)': totals.failed,
        'in DLQ': inDlq,
        'rows in demo_events': rows,
        lost,
        'processed (msg/s)': rate(totals.processed, goodDoneMs || elapsedMs),
        'all settled incl. DLQ redrive (ms)': Math.round(elapsedMs),
        'batch p50 (ms)': Number(p50.toFixed(2)),
        'writer flushes': writer.stats.flushes,
        'rows per INSERT':
          writer.stats.flushes > 0 ? Number((writer.stats.written / writer.stats.flushes).toFixed(1)) : 0,
      },
      tables: [
        {
          title: 'Where every message went',
          columns: ['stage', 'count'],
          rows: [
            ['fed to the queue', fed.sent],
            ['received (all deliveries)', polled.received],
            ['deleted after success', polled.deleted],
            ['reported failed (batchItemFailures)', polled.failed],
            ['moved to the DLQ', inDlq],
            ['rows in demo_events', rows],
          ],
        },
      ],
      charts: [
        {
          title: 'Throughput',
          unit: 'msg/s',
          bars: [
            { label: 'feeder (SendMessageBatch)', value: Math.round(fed.messagesPerSecond) },
            {
              label: 'worker (processSQSBatch + INSERT)',
              value: rate(totals.processed, goodDoneMs || elapsedMs),
            },
          ],
        },
      ],
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  } finally {
    client.destroy();
    await pool.end().catch(() => undefined);
    await server.stop();
  }
}
