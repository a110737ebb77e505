import type { FailedItem, WriteFn } from './BatchWriter.js';
import { type FeedMessage, type FeedOptions, feedQueue, queueMaxBytes } from './feedQueue.js';
import type { SqsClientLike } from './sqsSdk.js';

/**
 * A write function for {@link createBatchWriter} that sends each chunk to an SQS queue with
 * `SendMessageBatch` (through {@link feedQueue}: byte-aware chunks, only `Failed` entries retried).
 * Items that still fail come back as failed items of the writer.
 *
 * @example
 * ```ts
 * import { createBatchWriter, sqsSendWriteFn } from 'lambda-perf-kit/batch';
 * const writer = createBatchWriter(sqsSendWriteFn(client, queueUrl), { maxBatchSize: 10, maxWaitMs: 20 });
 * await writer.write(JSON.stringify({ orderId: 7 }));
 * ```
 */
export function sqsSendWriteFn<T extends string | FeedMessage>(
  client: SqsClientLike,
  queueUrl: string,
  options: Omit<FeedOptions<T>, 'queueUrl' | 'client'> = {},
): WriteFn<T> {
  if (typeof client?.send !== 'function') {
    throw new TypeError('sqsSendWriteFn: client must be an SQSClient (with send(command))');
  }
  let maxBatchBytes: Promise<number> | undefined;
  return async (items) => {
    maxBatchBytes ??=
      options.maxBatchBytes !== undefined
        ? Promise.resolve(options.maxBatchBytes)
        : queueMaxBytes(client, queueUrl);
    const result = await feedQueue(items, {
      concurrency: 1,
      ...options,
      maxBatchBytes: await maxBatchBytes,
      client,
      queueUrl,
    });
    const failed: FailedItem<T>[] = result.failed.map((f) => ({
      item: f.message,
      error: new Error(f.reason),
    }));
    return { failed };
  };
}
