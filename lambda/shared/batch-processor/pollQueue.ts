import type { Message } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { sleep } from './backoff.js';
import { SQS_LIMITS } from './constants.js';
import { loadSqsSdk, type SqsClientLike } from './sqsSdk.js';

/** Options of {@link pollQueue}. */
export interface PollQueueOptions {
  client: SqsClientLike;
  queueUrl: string;
  /** What Lambda would invoke: gets an SQS event, returns the partial batch response (or throws). */
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | undefined> | Promise<void>;
  /** Messages per ReceiveMessage / per event (1–10). @default 10 */
  batchSize?: number;
  /** Receive loops running at once (like concurrent Lambda invocations). @default 4 */
  concurrency?: number;
  /** ReceiveMessage long-poll seconds. @default 0 */
  waitTimeSeconds?: number;
  /** Per-receive visibility timeout. @default - the queue's */
  visibilityTimeout?: number;
  /** Stops when this returns true (checked before every receive). @default - never */
  until?: () => boolean | Promise<boolean>;
  /** Stops after this long with no message received by any loop. 0 = never. @default 2000 */
  idleTimeoutMs?: number;
  /** Stops when aborted. @default - none */
  signal?: AbortSignal;
}

/** What {@link pollQueue} did. */
export interface PollQueueResult {
  batches: number;
  received: number;
  deleted: number;
  /** records reported failed (or in a batch whose handler threw); left to reappear */
  failed: number;
  /** handler invocations that threw */
  handlerErrors: number;
  durationMs: number;
}

const toLambdaAttributes = (message: Message): SQSMessageAttributes => {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    out[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined
        ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }
        : {}),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  return out;
};

/**
 * Turns ReceiveMessage output into the SQS event Lambda would deliver.
 *
 * @example
 * ```ts
 * import { toSqsEvent } from 'lambda-perf-kit/batch';
 * const event = toSqsEvent(out.Messages ?? [], 'arn:aws:sqs:us-east-1:000000000000:orders');
 * ```
 */
export function toSqsEvent(messages: readonly Message[], queueArn: string): SQSEvent {
  const region = queueArn.split(':')[3] ?? 'us-east-1';
  return {
    Records: messages.map(
      (m): SQSRecord => ({
        messageId: m.MessageId ?? '',
        receiptHandle: m.ReceiptHandle ?? '',
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: '',
          ApproximateFirstReceiveTimestamp: '0',
          ...(m.Attributes as Partial<SQSRecord['attributes']>),
        },
        messageAttributes: toLambdaAttributes(m),
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: region,
      }),
    ),
  };
}

/**
 * A local SQS event source mapping: receive loops call `handler` with SQS events the way Lambda does
 * with `ReportBatchItemFailures`, delete the records that succeeded and leave failed ones to reappear
 * after the visibility timeout (so a redrive policy moves poison messages to the DLQ). If the response
 * names an identifier that is not in the batch, or the handler throws, the whole batch counts as
 * failed — as in AWS. For local runs, tests and the demo; in AWS, the event source mapping does this.
 *
 * @example
 * ```ts
 * import { pollQueue, processSQSBatch } from 'lambda-perf-kit/batch';
 * const result = await pollQueue({
 *   client, queueUrl,
 *   handler: (event) => processSQSBatch(event, async (record) => save(record.body)),
 *   idleTimeoutMs: 2_000,
 * });
 * ```
 */
export async function pollQueue(options: PollQueueOptions): Promise<PollQueueResult> {
  const { client, queueUrl, handler } = options;
  if (typeof client?.send !== 'function') throw new TypeError('pollQueue: client must be an SQSClient');
  if (typeof handler !== 'function') throw new TypeError('pollQueue: handler must be a function');
  const batchSize = options.batchSize ?? SQS_LIMITS.maxBatchEntries;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10) {
    throw new RangeError(`pollQueue: options.batchSize must be 1–10; received ${String(options.batchSize)}`);
  }
  const concurrency = options.concurrency ?? 4;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(
      `pollQueue: options.concurrency must be ≥ 1; received ${String(options.concurrency)}`,
    );
  }
  const idleTimeoutMs = options.idleTimeoutMs ?? 2_000;
  const sdk = await loadSqsSdk();
  const attrs = await client.send(
    new sdk.GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn: string =
    attrs?.Attributes?.QueueArn ?? `arn:aws:sqs:us-east-1:000000000000:${queueUrl.split('/').pop()}`;

  const started = performance.now();
  const result = { batches: 0, received: 0, deleted: 0, failed: 0, handlerErrors: 0 };
  let lastMessageAt = performance.now();
  let stop = false;

  const shouldStop = async (): Promise<boolean> => {
    if (stop || options.signal?.aborted) return true;
    if (options.until && (await options.until())) return true;
    return idleTimeoutMs > 0 && performance.now() - lastMessageAt > idleTimeoutMs;
  };

  const loop = async (): Promise<void> => {
    while (!(await shouldStop())) {
      const out = await client.send(
        new sdk.ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: batchSize,
          WaitTimeSeconds: options.waitTimeSeconds ?? 0,
          ...(options.visibilityTimeout !== undefined
            ? { VisibilityTimeout: options.visibilityTimeout }
            : {}),
          MessageSystemAttributeNames: ['All'],
          MessageAttributeNames: ['All'],
        }),
      );
      const messages: Message[] = out?.Messages ?? [];
      if (messages.length === 0) {
        await sleep(20);
        continue;
      }
      lastMessageAt = performance.now();
      result.batches++;
      result.received += messages.length;
      const event = toSqsEvent(messages, queueArn);
      let failedIds: Set<string>;
      try {
        const response = (await handler(event)) as SQSBatchResponse | undefined;
        failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const known = new Set(event.Records.map((r) => r.messageId));
        // As in AWS: an identifier that is not in the batch fails the whole batch.
        for (const id of failedIds) if (!known.has(id)) failedIds = known;
      } catch {
        result.handlerErrors++;
        failedIds = new Set(event.Records.map((r) => r.messageId));
      }
      const done = messages.filter((m) => !failedIds.has(m.MessageId ?? ''));
      result.failed += messages.length - done.length;
      if (done.length > 0) {
        await client.send(
          new sdk.DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
          }),
        );
        result.deleted += done.length;
      }
      lastMessageAt = performance.now();
    }
  };

  const loops: Array<Promise<void>> = [];
  for (let i = 0; i < concurrency; i++) loops.push(loop());
  try {
    await Promise.all(loops);
  } catch (error) {
    stop = true;
    await Promise.allSettled(loops);
    throw error;
  }
  return { ...result, durationMs: performance.now() - started };
}
