import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { FeedInputError, feedQueue, SQS_LIMITS } from '../../../lambda/shared/batch-processor/index.js';

type Entry = { Id: string; MessageBody: string; MessageGroupId?: string; MessageDeduplicationId?: string };

/** A fake SQS client: records each SendMessageBatch and answers with `answer`. */
function fakeClient(
  answer: (entries: Entry[], call: number) => { failIds?: string[]; senderFault?: boolean } = () => ({}),
) {
  const calls: Entry[][] = [];
  return {
    calls,
    send: async (command: unknown) => {
      if (!(command instanceof SendMessageBatchCommand)) return {};
      const entries = command.input.Entries as Entry[];
      calls.push(entries);
      const { failIds = [], senderFault = false } = answer(entries, calls.length);
      return {
        Successful: entries.filter((e) => !failIds.includes(e.Id)).map((e) => ({ Id: e.Id })),
        Failed: failIds.map((Id) => ({ Id, Code: 'InternalError', SenderFault: senderFault })),
      };
    },
  };
}

const queueUrl = 'http://sqs.local/000000000000/q';

describe('feedQueue', () => {
  it('chunks by 10 entries', async () => {
    const client = fakeClient();
    const bodies = Array.from({ length: 25 }, (_, i) => `{"i":${i}}`);
    const result = await feedQueue(bodies, { queueUrl, client, maxBatchBytes: SQS_LIMITS.maxBatchBytes });
    expect(client.calls.map((c) => c.length).sort()).toEqual([10, 10, 5].sort());
    expect(result.sent).toBe(25);
    expect(result.failed).toEqual([]);
  });

  it('chunks by bytes and fails a message larger than the limit without sending it', async () => {
    const client = fakeClient();
    const body = 'x'.repeat(400);
    const result = await feedQueue([body, body, body, 'y'.repeat(1001)], {
      queueUrl,
      client,
      maxBatchBytes: 1000,
    });
    expect(client.calls.map((c) => c.length)).toEqual([2, 1]);
    expect(result.sent).toBe(3);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.reason).toMatch(/1001 bytes; the queue accepts at most 1000/);
  });

  it('retries only the Failed entries', async () => {
    const client = fakeClient((_entries, call) => (call === 1 ? { failIds: ['1', '3'] } : {}));
    const result = await feedQueue(['a', 'b', 'c', 'd'], {
      queueUrl,
      client,
      maxBatchBytes: 1000,
      retryBaseDelayMs: 1,
    });
    expect(client.calls[1]?.map((e) => e.MessageBody)).toEqual(['b', 'd']);
    expect(result).toMatchObject({ sent: 4, retried: 2, failed: [] });
  });

  it('does not retry sender faults and reports them', async () => {
    const client = fakeClient(() => ({ failIds: ['0'], senderFault: true }));
    const result = await feedQueue(['a', 'b'], { queueUrl, client, maxBatchBytes: 1000 });
    expect(client.calls).toHaveLength(1);
    expect(result.failed.map((f) => f.message)).toEqual(['a']);
    expect(result.failed[0]?.senderFault).toBe(true);
  });

  it('reports entries still failing after maxRetries', async () => {
    const client = fakeClient(() => ({ failIds: ['0'] }));
    const result = await feedQueue(['a'], {
      queueUrl,
      client,
      maxBatchBytes: 1000,
      maxRetries: 2,
      retryBaseDelayMs: 1,
    });
    expect(client.calls).toHaveLength(3);
    expect(result.failed[0]?.reason).toMatch(/after 2 retries/);
    expect(result.sent).toBe(0);
  });

  it('retries a failed call and then fails its messages, never losing one', async () => {
    let calls = 0;
    const client = {
      send: async () => {
        calls++;
        throw Object.assign(new Error('socket hang up'), { $fault: 'server' });
      },
    };
    const result = await feedQueue(['a', 'b'], {
      queueUrl,
      client,
      maxBatchBytes: 1000,
      maxRetries: 1,
      retryBaseDelayMs: 1,
    });
    expect(calls).toBe(2);
    expect(result.failed.map((f) => f.message)).toEqual(['a', 'b']);
  });

  it('sets FIFO group and dedup ids and keeps each group in one ordered lane', async () => {
    const client = fakeClient();
    const messages = Array.from({ length: 30 }, (_, i) => ({ body: `m${i}`, groupId: `g${i % 3}` }));
    const result = await feedQueue(messages, { queueUrl: `${queueUrl}.fifo`, client, maxBatchBytes: 1000 });
    expect(result.sent).toBe(30);
    const sent = client.calls.flat();
    for (const g of ['g0', 'g1', 'g2']) {
      const order = sent.filter((e) => e.MessageGroupId === g).map((e) => Number(e.MessageBody.slice(1)));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
    expect(sent[0]?.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('fails FIFO messages without a group id', async () => {
    const client = fakeClient();
    const result = await feedQueue(['a'], { queueUrl: `${queueUrl}.fifo`, client, maxBatchBytes: 1000 });
    expect(result.failed[0]?.reason).toMatch(/no group id/);
  });
});

describe('feedQueue when its input breaks part-way', () => {
  it('still sends what was read and throws a FeedInputError that carries the partial result', async () => {
    const client = fakeClient((entries) => ({ failIds: [entries[0]?.Id ?? ''], senderFault: true }));
    function* lines() {
      yield '{"i":1}';
      yield '{"i":2}';
      throw new Error('disk read failed');
    }
    const error = await feedQueue(lines(), { queueUrl, client }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FeedInputError);
    const { result } = error as FeedInputError;
    expect(result.sent).toBe(1);
    expect(result.failed).toHaveLength(1);
    expect((error as Error).message).toContain('disk read failed');
  });
});
