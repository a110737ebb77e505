import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import {
  FullBatchFailureError,
  processSQSBatch,
  RecordParseError,
  RetryableError,
} from '../../../lambda/shared/batch-processor/index.js';
import {
  configureObservability,
  MetricName,
  resetObservability,
} from '../../../lambda/shared/observability/index.js';
import { makeContext, makeSqsEvent, makeSqsRecord } from '../../helpers/events.js';

const silent = { metrics: false as const };
const ids = (response: { batchItemFailures: Array<{ itemIdentifier: string }> }) =>
  response.batchItemFailures.map((f) => f.itemIdentifier);

describe('processSQSBatch', () => {
  beforeAll(() => configureObservability({ logger: new Logger({ logLevel: 'SILENT' }) }));
  afterAll(() => resetObservability());

  it('returns no failures for an empty event', async () => {
    // Prepare / Act
    const response = await processSQSBatch({ Records: [] }, () => undefined, silent);
    // Assess
    expect(response).toEqual({ batchItemFailures: [] });
  });

  it('rejects an event that is not an SQS event with a TypeError naming what it received', async () => {
    await expect(processSQSBatch({} as never, () => undefined)).rejects.toThrow(
      /event must be an SQS event.*keys \[\]/,
    );
    await expect(processSQSBatch(null as never, () => undefined)).rejects.toThrow(TypeError);
    await expect(
      processSQSBatch({ Records: [{ body: 'x' }] } as never, () => undefined, silent),
    ).rejects.toThrow(/Records\[0\] must be an SQS record with a string messageId/);
  });

  it('rejects bad options with a RangeError naming the field and the value', async () => {
    const event = makeSqsEvent([1]);
    await expect(processSQSBatch(event, () => undefined, { maxConcurrency: 0 })).rejects.toThrow(
      /options\.maxConcurrency must be a whole number from 1.*received 0/,
    );
  });

  it('reports only the records that failed, by their messageId', async () => {
    const event = makeSqsEvent([{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    const response = await processSQSBatch(
      event,
      (record) => {
        if (JSON.parse(record.body).n % 2 === 0) throw new Error('even');
      },
      silent,
    );
    expect(ids(response)).toEqual([event.Records[1]?.messageId, event.Records[3]?.messageId]);
  });

  it('never runs more than maxConcurrency records at once', async () => {
    const event = makeSqsEvent(Array.from({ length: 50 }, (_, i) => ({ i })));
    let active = 0;
    let peak = 0;
    await processSQSBatch(
      event,
      async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 2));
        active--;
      },
      { ...silent, maxConcurrency: 4 },
    );
    expect(peak).toBe(4);
  });

  it('runs one record at a time when parallelProcessing is false', async () => {
    const event = makeSqsEvent(Array.from({ length: 10 }, (_, i) => ({ i })));
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    await processSQSBatch(
      event,
      async (record) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 1));
        order.push(JSON.parse(record.body).i);
        active--;
      },
      { ...silent, parallelProcessing: false },
    );
    expect(peak).toBe(1);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('retries a retryable error with backoff and succeeds', async () => {
    const event = makeSqsEvent([{ a: 1 }]);
    const attempts: number[] = [];
    const stats = vi.fn();
    const response = await processSQSBatch(
      event,
      (_record, _context, info) => {
        attempts.push(info.attempt);
        if (info.attempt < 3) throw new RetryableError('flaky');
      },
      { ...silent, maxRetries: 2, retryBaseDelayMs: 1, onStats: stats },
    );
    expect(ids(response)).toEqual([]);
    expect(attempts).toEqual([1, 2, 3]);
    expect(stats.mock.calls[0]?.[0]).toMatchObject({ processed: 1, failed: 0, retried: 2 });
  });

  it('does not retry errors that are not retryable, and honours isRetryable', async () => {
    const event = makeSqsEvent([{ a: 1 }, { a: 2 }]);
    let calls = 0;
    const response = await processSQSBatch(
      event,
      (record) => {
        calls++;
        throw Object.assign(new Error('boom'), {
          code: JSON.parse(record.body).a === 1 ? 'ECONNRESET' : 'BAD',
        });
      },
      {
        ...silent,
        maxRetries: 3,
        retryBaseDelayMs: 1,
        throwOnFullBatchFailure: false,
        isRetryable: (error) => (error as { code?: string }).code === 'ECONNRESET',
      },
    );
    expect(ids(response)).toHaveLength(2);
    expect(calls).toBe(4 + 1);
  });

  it('gives up after maxRetries and reports the record', async () => {
    const event = makeSqsEvent([{ a: 1 }, { a: 2 }]);
    let calls = 0;
    const response = await processSQSBatch(
      event,
      (record) => {
        if (JSON.parse(record.body).a === 2) {
          calls++;
          throw new RetryableError('always');
        }
      },
      { ...silent, maxRetries: 2, retryBaseDelayMs: 1 },
    );
    expect(calls).toBe(3);
    expect(ids(response)).toEqual([event.Records[1]?.messageId]);
  });

  it('fails a record that exceeds recordTimeoutMs and aborts its signal', async () => {
    const event = makeSqsEvent([{ slow: true }, { slow: false }]);
    let aborted: unknown;
    const stats = vi.fn();
    const response = await processSQSBatch(
      event,
      async (record, _context, { signal }) => {
        if (!JSON.parse(record.body).slow) return;
        await new Promise<void>((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            resolve();
          });
        });
      },
      { ...silent, recordTimeoutMs: 20, onStats: stats },
    );
    expect(ids(response)).toEqual([event.Records[0]?.messageId]);
    expect((aborted as Error).name).toBe('RecordTimeoutError');
    expect(stats.mock.calls[0]?.[0]).toMatchObject({ timedOut: 1, failed: 1 });
  });

  it('stops starting records when the remaining time runs low and reports the unstarted ones', async () => {
    const event = makeSqsEvent(Array.from({ length: 10 }, (_, i) => ({ i })));
    let remaining = 10_000;
    const context = { ...makeContext(), getRemainingTimeInMillis: () => remaining };
    const started: number[] = [];
    const response = await processSQSBatch(
      event,
      (record) => {
        const i = JSON.parse(record.body).i;
        started.push(i);
        if (i === 3) remaining = 500; // the invocation runs low while record 3 runs
      },
      { ...silent, context, parallelProcessing: false, remainingTimeThresholdMs: 1_000 },
    );
    expect(started).toEqual([0, 1, 2, 3]);
    expect(ids(response)).toEqual(event.Records.slice(4).map((r) => r.messageId));
  });

  it('aborts running records at the invocation deadline and reports them, so the response is in time', async () => {
    const event = makeSqsEvent([{ i: 0 }]);
    const context = makeContext({ timeoutMillis: 1_030 });
    const stats = vi.fn();
    const response = await processSQSBatch(
      event,
      (_record, _context, { signal }) =>
        new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())),
      { ...silent, context, remainingTimeThresholdMs: 1_000, throwOnFullBatchFailure: false, onStats: stats },
    );
    expect(ids(response)).toEqual([event.Records[0]?.messageId]);
    expect(stats.mock.calls[0]?.[0]).toMatchObject({ timedOut: 1 });
  });

  it('keeps concurrent invocations in one environment apart', async () => {
    const low = { ...makeContext(), getRemainingTimeInMillis: () => 10 };
    const high = makeContext();
    const a = makeSqsEvent([1, 2, 3]);
    const b = makeSqsEvent([4, 5, 6]);
    const slow = () => new Promise((r) => setTimeout(r, 2));
    const [ra, rb] = await Promise.all([
      processSQSBatch(a, slow, { ...silent, context: low, throwOnFullBatchFailure: false }),
      processSQSBatch(b, slow, { ...silent, context: high }),
    ]);
    expect(ids(ra)).toEqual(a.Records.map((r) => r.messageId));
    expect(ids(rb)).toEqual([]);
  });

  it('passes the Lambda context as the second argument, like Powertools', async () => {
    const context = makeContext();
    const seen: unknown[] = [];
    await processSQSBatch(makeSqsEvent([1]), (_record, ctx) => void seen.push(ctx), { ...silent, context });
    expect(seen).toEqual([context]);
  });

  it('throws FullBatchFailureError when every record fails, unless told otherwise', async () => {
    const event = makeSqsEvent([1, 2]);
    const fail = () => {
      throw new Error('down');
    };
    await expect(processSQSBatch(event, fail, silent)).rejects.toBeInstanceOf(FullBatchFailureError);
    const response = await processSQSBatch(event, fail, { ...silent, throwOnFullBatchFailure: false });
    expect(ids(response)).toHaveLength(2);
  });

  it('throws on any failure when partialFailureEnabled is false', async () => {
    const event = makeSqsEvent([1, 2]);
    await expect(
      processSQSBatch(
        event,
        (record) => {
          if (record.body === '2') throw new Error('x');
        },
        { ...silent, partialFailureEnabled: false },
      ),
    ).rejects.toThrow(/1 of 2 records failed and partialFailureEnabled is false/);
  });

  it('fails a malformed JSON record only, with a RecordParseError', async () => {
    const good = makeSqsRecord({ id: 1 });
    const bad = makeSqsRecord('{"ssn": "123-45-6789"');
    const bodies: unknown[] = [];
    const warn = vi.fn();
    configureObservability({ logger: Object.assign(new Logger({ logLevel: 'SILENT' }), { warn }) });
    const response = await processSQSBatch(
      { Records: [good, bad] },
      (_r, _c, { body }) => void bodies.push(body),
      {
        ...silent,
        parseJson: true,
      },
    );
    configureObservability({ logger: new Logger({ logLevel: 'SILENT' }) });
    expect(ids(response)).toEqual([bad.messageId]);
    expect(bodies).toEqual([{ id: 1 }]);
    expect(warn.mock.calls[0]?.[0]).toMatch(new RegExp(`record ${bad.messageId}: body is not valid JSON`));
    // The body never reaches the log line (V8's own JSON error message quotes it).
    expect(JSON.stringify(warn.mock.calls)).not.toContain('123-45-6789');
  });

  it('validates bodies with a Standard Schema (zod) and types them', async () => {
    const schema = z.object({ id: z.number() });
    const event = makeSqsEvent([{ id: 1 }, { id: 'x' }]);
    const seen: number[] = [];
    const response = await processSQSBatch(event, (_r, _c, { body }) => void seen.push(body.id), {
      ...silent,
      schema,
    });
    expect(seen).toEqual([1]);
    expect(ids(response)).toEqual([event.Records[1]?.messageId]);
  });

  it('reports the record, not the batch, for a schema failure, with the issue path', async () => {
    const { parseRecordBody } = await import('../../../lambda/shared/batch-processor/index.js');
    const error = await parseRecordBody('m1', '{"id":"x"}', z.object({ id: z.number() })).catch((e) => e);
    expect(error).toBeInstanceOf(RecordParseError);
    expect((error as RecordParseError).issues[0]).toMatch(/^id: /);
  });

  it('reports each identifier once and only identifiers from the batch', async () => {
    const record = makeSqsRecord({ a: 1 });
    const event = { Records: [record, { ...record }] };
    const response = await processSQSBatch(
      event,
      () => {
        throw new Error('x');
      },
      { ...silent, throwOnFullBatchFailure: false },
    );
    expect(ids(response)).toEqual([record.messageId]);
  });

  it('reports records beyond maxBatchSize as failures without running them', async () => {
    const event = makeSqsEvent([1, 2, 3]);
    const handler = vi.fn();
    const response = await processSQSBatch(event, handler, { ...silent, maxBatchSize: 2 });
    expect(handler).toHaveBeenCalledTimes(2);
    expect(ids(response)).toEqual([event.Records[2]?.messageId]);
  });

  it('publishes processed, failed, retried, timed-out and duration metrics', async () => {
    const addMetric = vi.fn();
    const metrics = { addMetric } as unknown as Metrics;
    await processSQSBatch(
      makeSqsEvent([1, 2]),
      (r) => {
        if (r.body === '2') throw new Error('x');
      },
      { metrics },
    );
    const byName = Object.fromEntries(addMetric.mock.calls.map((c) => [c[0], c[2]]));
    expect(byName[MetricName.RecordsProcessed]).toBe(1);
    expect(byName[MetricName.RecordsFailed]).toBe(1);
    expect(byName[MetricName.RecordsRetried]).toBe(0);
    expect(byName[MetricName.RecordsTimedOut]).toBe(0);
    expect(typeof byName[MetricName.BatchDuration]).toBe('number');
  });

  describe('FIFO', () => {
    const fifoEvent = (groups: Array<[string, number]>): { Records: SQSRecord[] } => ({
      Records: groups.map(([group, n]) => makeSqsRecord({ group, n }, { messageGroupId: group })),
    });

    it('keeps order within a message group and runs groups in parallel', async () => {
      const event = fifoEvent([
        ['a', 1],
        ['b', 1],
        ['a', 2],
        ['b', 2],
        ['a', 3],
        ['c', 1],
      ]);
      const seen: Record<string, number[]> = {};
      let active = 0;
      let peak = 0;
      await processSQSBatch(
        event,
        async (record) => {
          const { group, n } = JSON.parse(record.body);
          active++;
          peak = Math.max(peak, active);
          await new Promise((r) => setTimeout(r, 3 - n));
          seen[group] = [...(seen[group] ?? []), n];
          active--;
        },
        silent,
      );
      expect(seen).toEqual({ a: [1, 2, 3], b: [1, 2], c: [1] });
      expect(peak).toBe(3);
    });

    it('fails the rest of a group after a failure, and only that group', async () => {
      const event = fifoEvent([
        ['a', 1],
        ['a', 2],
        ['b', 1],
        ['a', 3],
        ['b', 2],
      ]);
      const ran: string[] = [];
      const response = await processSQSBatch(
        event,
        (record) => {
          const { group, n } = JSON.parse(record.body);
          ran.push(`${group}${n}`);
          if (group === 'a' && n === 2) throw new Error('poison');
        },
        silent,
      );
      expect(ran.sort()).toEqual(['a1', 'a2', 'b1', 'b2']);
      expect(ids(response)).toEqual([event.Records[1]?.messageId, event.Records[3]?.messageId]);
    });
  });
});
