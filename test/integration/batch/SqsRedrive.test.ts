import { Logger } from '@aws-lambda-powertools/logger';
import { GetQueueAttributesCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createBatchWriter,
  feedQueue,
  processSQSBatch,
  sqsSendWriteFn,
} from '../../../lambda/shared/batch-processor/index.js';
import { configureObservability, resetObservability } from '../../../lambda/shared/observability/index.js';
import { makeContext } from '../../helpers/events.js';
import { type SqsEmulator, startSqsEmulator } from '../../helpers/sqs.js';
import { pollQueue } from '../../helpers/sqs-poller.js';

let sqs: SqsEmulator;

const depth = async (queueUrl: string): Promise<number> => {
  const out = await sqs.client.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(out.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
};

/** Receives everything in a queue (it must not be read by anyone else meanwhile). */
const drain = async (queueUrl: string): Promise<string[]> => {
  const bodies: string[] = [];
  for (;;) {
    const out = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    if (!out.Messages?.length) return bodies;
    bodies.push(...out.Messages.map((m) => m.Body ?? ''));
  }
};

describe('batch processing against the SQS emulator with a DLQ redrive policy', () => {
  beforeAll(async () => {
    configureObservability({ logger: new Logger({ logLevel: 'SILENT' }) });
    sqs = await startSqsEmulator();
  });
  afterAll(async () => {
    await sqs?.stop();
    resetObservability();
  });

  it('processes 10,000 messages with 5% poison: good ones once, poison in the DLQ, none lost', async () => {
    // Prepare
    const maxReceiveCount = 2;
    const { queueUrl, dlqUrl } = sqs.createQueueWithDlq('orders-10k', maxReceiveCount, {
      VisibilityTimeout: '1',
    });
    const total = 10_000;
    const bodies = Array.from({ length: total }, (_, id) => JSON.stringify({ id, poison: id % 20 === 7 }));
    const fed = await feedQueue(bodies, { queueUrl, client: sqs.client });
    expect(fed).toMatchObject({ sent: total, failed: [] });
    const processed = new Map<number, number>();
    const poisonAttempts = new Map<number, number>();
    const deliveries = new Map<string, number>(); // receipt handle → handler calls
    let good = 0;

    // Act
    const result = await pollQueue({
      client: sqs.client,
      queueUrl,
      concurrency: 8,
      idleTimeoutMs: 3_000,
      until: async () => good >= total * 0.95 && (await depth(dlqUrl)) >= total * 0.05,
      handler: (event) =>
        processSQSBatch<{ id: number; poison: boolean }>(
          event,
          (record, _context, { body }) => {
            deliveries.set(record.receiptHandle, (deliveries.get(record.receiptHandle) ?? 0) + 1);
            if (body.poison) {
              poisonAttempts.set(body.id, (poisonAttempts.get(body.id) ?? 0) + 1);
              throw new Error(`poison ${body.id}`);
            }
            processed.set(body.id, (processed.get(body.id) ?? 0) + 1);
            good++;
          },
          { parseJson: true, metrics: false, throwOnFullBatchFailure: false, context: makeContext() },
        ),
    });

    // Assess
    expect([...deliveries.values()].every((calls) => calls === 1)).toBe(true);
    expect(processed.size).toBe(total * 0.95);
    expect([...processed.values()].every((n) => n === 1)).toBe(true);
    expect([...poisonAttempts.values()].every((n) => n === maxReceiveCount)).toBe(true);
    const dead = (await drain(dlqUrl)).map((b) => JSON.parse(b) as { id: number; poison: boolean });
    expect(dead).toHaveLength(total * 0.05);
    expect(dead.every((m) => m.poison)).toBe(true);
    expect(new Set(dead.map((m) => m.id)).size).toBe(total * 0.05);
    expect(await depth(queueUrl)).toBe(0);
    expect(processed.size + dead.length).toBe(total);
    expect(result.deleted).toBe(total * 0.95);
  });

  it('keeps FIFO order within each message group', async () => {
    const { queueUrl } = sqs.createQueue('fifo-order.fifo', { FifoQueue: 'true', VisibilityTimeout: '5' });
    const groups = ['a', 'b', 'c', 'd'];
    const messages = Array.from({ length: 80 }, (_, i) => ({
      body: JSON.stringify({ group: groups[i % 4], seq: Math.floor(i / 4) }),
      groupId: groups[i % 4] as string,
    }));
    expect((await feedQueue(messages, { queueUrl, client: sqs.client })).sent).toBe(80);
    const seen: Record<string, number[]> = {};
    await pollQueue({
      client: sqs.client,
      queueUrl,
      concurrency: 1,
      idleTimeoutMs: 500,
      handler: (event) =>
        processSQSBatch<{ group: string; seq: number }>(
          event,
          async (_record, _context, { body }) => {
            await new Promise((r) => setTimeout(r, body.seq % 3));
            seen[body.group] = [...(seen[body.group] ?? []), body.seq];
          },
          { parseJson: true, metrics: false },
        ),
    });
    for (const g of groups) expect(seen[g]).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('reports unstarted records when time runs low; SQS redelivers them and none is lost', async () => {
    const { queueUrl } = sqs.createQueue('cutoff', { VisibilityTimeout: '1' });
    await feedQueue(
      Array.from({ length: 50 }, (_, i) => String(i)),
      { queueUrl, client: sqs.client },
    );
    const processed = new Map<string, number>();
    let cutOff = 0;
    let invocation = 0;
    await pollQueue({
      client: sqs.client,
      queueUrl,
      concurrency: 2,
      idleTimeoutMs: 2_500,
      until: () => processed.size === 50,
      handler: (event) => {
        invocation++;
        // every third invocation has only 3 records' worth of time left
        let budget = invocation % 3 === 0 ? 3 : Number.POSITIVE_INFINITY;
        const context = { ...makeContext(), getRemainingTimeInMillis: () => (budget-- > 0 ? 60_000 : 10) };
        return processSQSBatch(
          event,
          (record) => {
            processed.set(record.body, (processed.get(record.body) ?? 0) + 1);
          },
          {
            context,
            metrics: false,
            parallelProcessing: false,
            onStats: (s) => {
              cutOff += s.skipped;
            },
          },
        );
      },
    });
    expect(cutOff).toBeGreaterThan(0);
    expect(processed.size).toBe(50);
    expect([...processed.values()].every((n) => n === 1)).toBe(true);
  });

  it('sends malformed JSON to the DLQ without failing its batch-mates', async () => {
    const { queueUrl, dlqUrl } = sqs.createQueueWithDlq('malformed', 1, { VisibilityTimeout: '1' });
    const bodies = ['{"ok":1}', '{"ok":', '{"ok":2}', 'not json', '{"ok":3}'];
    await feedQueue(bodies, { queueUrl, client: sqs.client });
    const ok: number[] = [];
    await pollQueue({
      client: sqs.client,
      queueUrl,
      concurrency: 1,
      idleTimeoutMs: 1_500,
      handler: (event) =>
        processSQSBatch<{ ok: number }>(event, (_r, _c, { body }) => void ok.push(body.ok), {
          parseJson: true,
          metrics: false,
        }),
    });
    expect(ok.sort()).toEqual([1, 2, 3]);
    expect((await drain(dlqUrl)).sort()).toEqual(['not json', '{"ok":']);
  });

  it('poller: an unknown identifier or a throwing handler fails the whole batch, as in AWS', async () => {
    for (const mode of ['unknown-id', 'throws'] as const) {
      const { queueUrl } = sqs.createQueue(`poller-${mode}`, { VisibilityTimeout: '30' });
      await feedQueue(['1', '2', '3'], { queueUrl, client: sqs.client });
      const result = await pollQueue({
        client: sqs.client,
        queueUrl,
        concurrency: 1,
        idleTimeoutMs: 300,
        handler: async () => {
          if (mode === 'unknown-id') return { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] };
          throw new Error('handler crashed');
        },
      });
      expect(result).toMatchObject({
        received: 3,
        deleted: 0,
        failed: 3,
        handlerErrors: mode === 'throws' ? 1 : 0,
      });
      expect(await depth(queueUrl)).toBe(3);
    }
  });

  it('returns no failures for an empty event', async () => {
    await expect(processSQSBatch({ Records: [] }, () => undefined, { metrics: false })).resolves.toEqual({
      batchItemFailures: [],
    });
  });

  it('feeder: honours a queue MaximumMessageSize below 1 MiB and reports the message that does not fit', async () => {
    const { queueUrl } = sqs.createQueue('small-max', { MaximumMessageSize: '1024' });
    const result = await feedQueue(['a'.repeat(600), 'b'.repeat(600), 'c'.repeat(2000)], {
      queueUrl,
      client: sqs.client,
    });
    expect(result.sent).toBe(2);
    expect(result.failed.map((f) => f.reason)).toEqual([
      'message is 2000 bytes; the queue accepts at most 1024',
    ]);
    expect(await depth(queueUrl)).toBe(2);
  });

  it('batch writer sends to SQS with SendMessageBatch', async () => {
    const { queueUrl } = sqs.createQueue('writer-out');
    const writer = createBatchWriter(sqsSendWriteFn<string>(sqs.client, queueUrl), {
      maxBatchSize: 10,
      maxWaitMs: 5,
      metrics: false,
    });
    for (let i = 0; i < 25; i++) await writer.add(`m${i}`);
    const report = await writer.close();
    expect(report.failed).toEqual([]);
    expect(writer.stats).toMatchObject({ written: 25, flushes: 3 });
    expect(await depth(queueUrl)).toBe(25);
  });
});
