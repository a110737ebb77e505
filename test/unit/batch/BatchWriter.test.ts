import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchWriteError, createBatchWriter } from '../../../lambda/shared/batch-processor/index.js';
import { configureObservability, resetObservability } from '../../../lambda/shared/observability/index.js';

const base = { metrics: false as const, flushOnExit: false };

describe('createBatchWriter', () => {
  beforeAll(() => configureObservability({ logger: new Logger({ logLevel: 'SILENT' }) }));
  afterAll(() => resetObservability());

  it('flushes by size', async () => {
    const chunks: number[][] = [];
    const writer = createBatchWriter<number>(
      async (items) => {
        chunks.push(items);
      },
      { ...base, maxBatchSize: 3, maxWaitMs: 0 },
    );
    await Promise.all([1, 2, 3, 4, 5, 6, 7].map((n) => writer.add(n)));
    await new Promise((r) => setImmediate(r));
    expect(chunks).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    await writer.close();
    expect(chunks.at(-1)).toEqual([7]);
  });

  it('flushes a partial buffer after maxWaitMs', async () => {
    const chunks: number[][] = [];
    const writer = createBatchWriter<number>(
      async (items) => {
        chunks.push(items);
      },
      { ...base, maxBatchSize: 100, maxWaitMs: 5 },
    );
    await writer.write(1); // resolves only once its chunk was written
    expect(chunks).toEqual([[1]]);
    await writer.close();
  });

  it('write() rejects with the item when its chunk fails; add() failures are kept for takeFailed()', async () => {
    const failures: unknown[] = [];
    const writer = createBatchWriter<number>(
      async (items) => ({
        failed: items.filter((n) => n % 2 === 0).map((item) => ({ item, error: new Error('dup') })),
      }),
      { ...base, maxBatchSize: 4, maxWaitMs: 0, onFailure: (f) => failures.push(...f) },
    );
    const w2 = writer.write(2).catch((e) => e);
    const w3 = writer.write(3);
    await writer.add(4);
    await writer.add(5);
    expect(await w2).toBeInstanceOf(BatchWriteError);
    expect(((await w2) as BatchWriteError).items).toEqual([2]);
    await expect(w3).resolves.toBeUndefined();
    const report = await writer.flush();
    expect(report.failed.map((f) => f.item)).toEqual([4]);
    expect(failures).toHaveLength(1);
    expect(writer.takeFailed().map((f) => f.item)).toEqual([4]);
    expect(writer.takeFailed()).toEqual([]);
    expect(writer.stats).toMatchObject({ added: 4, written: 2, failed: 2 });
    await writer.close();
  });

  it('a throwing write function fails every item of the chunk', async () => {
    const writer = createBatchWriter<number>(
      async () => {
        throw new Error('connection refused');
      },
      { ...base, maxBatchSize: 10, maxWaitMs: 0 },
    );
    await writer.add(1);
    await writer.add(2);
    const report = await writer.close();
    expect(report.failed.map((f) => f.item)).toEqual([1, 2]);
    expect(report.failed[0]?.error).toMatchObject({ message: 'connection refused' });
  });

  it('applies backpressure: add() waits while maxBufferedItems are held', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const writer = createBatchWriter<number>(
      async () => {
        await gate;
      },
      { ...base, maxBatchSize: 2, maxBufferedItems: 4, maxWaitMs: 0 },
    );
    for (const n of [1, 2, 3, 4]) await writer.add(n);
    let fifthAccepted = false;
    const fifth = writer.add(5).then(() => {
      fifthAccepted = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(fifthAccepted).toBe(false);
    expect(writer.stats.waiting).toBe(1);
    release();
    await fifth;
    expect(fifthAccepted).toBe(true);
    await writer.close();
    expect(writer.stats.written).toBe(5);
  });

  it('refuses items after close() and says so', async () => {
    const writer = createBatchWriter<number>(async () => undefined, base);
    await writer.close();
    await expect(writer.add(1)).rejects.toThrow(/closed/);
    await expect(writer.close()).resolves.toMatchObject({ written: 0 });
  });

  it('flushes on process beforeExit, then unregisters its hook', async () => {
    const chunks: number[][] = [];
    const before = process.listenerCount('beforeExit');
    const writer = createBatchWriter<number>(
      async (items) => {
        chunks.push(items);
      },
      { metrics: false, maxBatchSize: 100, maxWaitMs: 0 },
    );
    await writer.add(1);
    expect(process.listenerCount('beforeExit')).toBe(before + 1);
    process.emit('beforeExit', 0);
    await writer.flush();
    expect(chunks).toEqual([[1]]);
    expect(process.listenerCount('beforeExit')).toBe(before);
  });

  it('writes items whose wait timer fired while every flush slot was busy', async () => {
    const writer = createBatchWriter<number>(
      async () => {
        await new Promise((r) => setTimeout(r, 20));
      },
      { ...base, maxBatchSize: 2, maxWaitMs: 2 },
    );
    const first = [writer.write(1), writer.write(2)];
    await expect(writer.write(3)).resolves.toBeUndefined(); // no flush() call: the timer must re-arm
    await Promise.all(first);
    expect(writer.stats.written).toBe(3);
    await writer.close();
  });

  it('validates its options', () => {
    expect(() => createBatchWriter(async () => undefined, { maxBatchSize: 0 })).toThrow(
      /options\.maxBatchSize must be a whole number ≥ 1; received 0/,
    );
    expect(() => createBatchWriter(async () => undefined, { maxBatchSize: 10, maxBufferedItems: 5 })).toThrow(
      RangeError,
    );
  });
});
