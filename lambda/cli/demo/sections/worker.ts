/**
 * Demo section for the example SQS worker (`lambda/examples/sqs-worker.ts`): order events fed into
 * the SQS emulator (a few invalid ones), delivered to the worker the way the Lambda event source
 * mapping does (batches of 10, partial batch responses, a DLQ after 2 receives), written to
 * PostgreSQL by the worker's batch writer. Counts where every message ended up.
 */
import { startFauxqs } from 'fauxqs';
import { createSqsClient, feedQueue, pollQueue } from '../../../shared/batch-processor/index.js';
import type { DemoContext, DemoSection } from '../types.js';
import { queueDepth } from './queue-depth.js';

const MAX_RECEIVE_COUNT = 2;

/**
 * Runs the worker section.
 *
 * @example
 * ```ts
 * const section = await runWorkerSection(ctx);
 * ```
 */
export async function runWorkerSection(ctx: DemoContext): Promise<DemoSection> {
  process.env.DATABASE_URL = ctx.databaseUrl;
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const worker = await import('../../../examples/sqs-worker.js');
  const database = await import('../../../examples/shared/database.js');
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  const client = await createSqsClient({ endpoint: `http://127.0.0.1:${server.port}`, region: 'us-east-1' });
  try {
    const dlq = server.createQueue('example-worker-dlq');
    const queue = server.createQueue('example-worker', {
      attributes: {
        VisibilityTimeout: '1',
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.queueArn,
          maxReceiveCount: MAX_RECEIVE_COUNT,
        }),
      },
    });
    await worker.ensureOrderEventsTable();
    const { pool } = await database.getDatabase();
    await pool.query(`TRUNCATE ${worker.ORDER_EVENTS_TABLE}`);

    const total = ctx.messages;
    const isInvalid = (i: number): boolean => i % 50 === 7; // quantity -1: the worker's schema rejects it
    let invalid = 0;
    const bodies = Array.from({ length: total }, (_, i) => {
      if (isInvalid(i)) invalid++;
      return JSON.stringify({
        orderId: i + 1,
        customerId: 1 + (i % Math.max(1, Math.round(ctx.rows / 10))),
        productId: 1 + (i % Math.max(1, Math.round(ctx.rows / 100))),
        quantity: isInvalid(i) ? -1 : 1 + (i % 4),
        status: (['created', 'paid', 'shipped'] as const)[i % 3],
      });
    });
    ctx.progress(`feeding ${total.toLocaleString('en-US')} order events to the example SQS worker…`);
    const fed = await feedQueue(bodies, { queueUrl: queue.queueUrl, client });

    const dlqDepth = (): Promise<number> => queueDepth(client, dlq.queueUrl);
    const countRows = async (): Promise<number> =>
      Number(
        (await pool.query(`SELECT count(*)::int AS n FROM ${worker.ORDER_EVENTS_TABLE}`)).rows[0]?.n ?? 0,
      );
    const started = performance.now();
    const polled = await pollQueue({
      client,
      queueUrl: queue.queueUrl,
      concurrency: 4,
      idleTimeoutMs: 3_000,
      handler: (event) => worker.handler(event),
      until: async () => (await dlqDepth()) >= invalid && (await countRows()) >= total - invalid,
    });
    const elapsedMs = performance.now() - started;
    const rows = await countRows();
    const inDlq = await dlqDepth();
    const lost = total - rows - inDlq;
    const warnings: string[] = [];
    if (fed.failed.length > 0) warnings.push(`${fed.failed.length} messages could not be fed`);
    if (lost !== 0)
      warnings.push(`${lost} messages are neither in ${worker.ORDER_EVENTS_TABLE} nor in the DLQ`);
    return {
      title: 'Example SQS worker',
      summary:
        lost === 0
          ? `The example worker wrote every valid order event to PostgreSQL and reported only the ${invalid} invalid ones as failed, which SQS moved to the DLQ after ${MAX_RECEIVE_COUNT} receives: nothing lost.`
          : `${lost} of ${total} order events are neither in PostgreSQL nor in the DLQ: see the warnings.`,
      figures: {
        sent: fed.sent,
        'rows written': rows,
        'in DLQ': inDlq,
        lost,
        invocations: polled.batches,
        'records reported failed': polled.failed,
        'settled incl. DLQ redrive (ms)': Math.round(elapsedMs),
      },
      warnings,
    };
  } finally {
    client.destroy();
    await server.stop();
    await database.closeDatabase();
  }
}
