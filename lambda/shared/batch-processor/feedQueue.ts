import { createHash } from 'node:crypto';
import type { MessageAttributeValue, SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { backoffDelay, sleep } from './backoff.js';
import { FEEDER_DEFAULTS, SQS_LIMITS } from './constants.js';
import { FeedInputError } from './errors.js';
import { createSqsClient, loadSqsSdk, type SqsClientLike, type SqsClientOptions } from './sqsSdk.js';

/** One message to send; a plain string is a message with that body. */
export interface FeedMessage {
  body: string;
  /** FIFO message group. @default - options.groupId */
  groupId?: string;
  /** FIFO deduplication id. @default - SHA-256 of the body (FIFO queues only) */
  deduplicationId?: string;
  /** Standard queues only. */
  delaySeconds?: number;
  attributes?: Record<string, MessageAttributeValue>;
}

/** A message that was not sent, and why. */
export interface FailedMessage<M = string | FeedMessage> {
  message: M;
  reason: string;
  /** SQS said the message itself is at fault (retrying cannot help). */
  senderFault: boolean;
}

/** Where the feeder is. */
export interface FeedProgress {
  /** messages read from the input so far */
  read: number;
  sent: number;
  failed: number;
  retried: number;
  elapsedMs: number;
}

/** What {@link feedQueue} did. */
export interface FeedResult<M = string | FeedMessage> {
  sent: number;
  failed: FailedMessage<M>[];
  /** entries re-sent after a `Failed` result or a failed call */
  retried: number;
  durationMs: number;
  messagesPerSecond: number;
}

/** Options of {@link feedQueue}. */
export interface FeedOptions<M = string | FeedMessage> extends SqsClientOptions {
  queueUrl: string;
  /** @default - a client from `createSqsClient({ endpoint, region })` (destroyed at the end) */
  client?: SqsClientLike;
  /** SendMessageBatch calls in flight. @default 8 */
  concurrency?: number;
  /** Re-sends of an entry SQS reported `Failed` (not a sender fault) or of a failed call. @default 5 */
  maxRetries?: number;
  /** @default 100 */
  retryBaseDelayMs?: number;
  /** @default 5000 */
  retryMaxDelayMs?: number;
  /**
   * Largest message and batch, in bytes.
   * @default - the queue's `MaximumMessageSize` (GetQueueAttributes), at most 1 MiB
   */
  maxBatchBytes?: number;
  /** @default - the queue URL ends in `.fifo` */
  fifo?: boolean;
  /** FIFO group of messages that name none. @default - none (such messages fail) */
  groupId?: string;
  /** Called after every batch call. @default - none */
  onProgress?: (progress: FeedProgress) => void;
  /** Stops reading input; what was read is still sent. @default - none */
  signal?: AbortSignal;
  /** Maps an input item to a message. @default - strings are bodies, objects are {@link FeedMessage}s */
  toMessage?: (item: M) => FeedMessage;
}

interface Pending<M> {
  item: M;
  message: FeedMessage;
  bytes: number;
}

const encoder = new TextEncoder();

/**
 * Bytes SQS counts for a message: body plus attribute names, types and values.
 *
 * @example
 * ```ts
 * import { messageBytes } from 'lambda-perf-kit/batch';
 * messageBytes({ body: 'héllo' }); // 6
 * ```
 */
export function messageBytes(message: FeedMessage): number {
  let bytes = Buffer.byteLength(message.body, 'utf8');
  for (const [name, value] of Object.entries(message.attributes ?? {})) {
    bytes += encoder.encode(name).length + encoder.encode(value.DataType ?? '').length;
    if (value.StringValue !== undefined) bytes += Buffer.byteLength(value.StringValue, 'utf8');
    if (value.BinaryValue !== undefined) bytes += value.BinaryValue.length;
  }
  return bytes;
}

function positive(name: string, value: number | undefined, fallback: number, min: number): number {
  const resolved = value ?? fallback;
  if (!Number.isInteger(resolved) || resolved < min) {
    throw new RangeError(
      `feedQueue: options.${name} must be a whole number ≥ ${min}; received ${String(value)}`,
    );
  }
  return resolved;
}

const defaultToMessage = (item: unknown): FeedMessage => {
  if (typeof item === 'string') return { body: item };
  if (typeof item === 'object' && item !== null && typeof (item as FeedMessage).body === 'string') {
    return item as FeedMessage;
  }
  throw new TypeError(`feedQueue: a message must be a string or { body: string }; received ${typeof item}`);
};

const describeError = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** A whole-call error worth retrying: server faults, throttling, network errors. */
const retryableCallError = (error: unknown): boolean => {
  const e = error as { $fault?: string; name?: string; $retryable?: unknown };
  if (e?.$retryable) return true;
  if (e?.$fault === 'client') return /thrott|RequestThrottled|OverLimit/i.test(e.name ?? '');
  return true;
};

/**
 * The queue's `MaximumMessageSize` (at most 1 MiB), or 1 MiB if it cannot be read.
 *
 * @example
 * ```ts
 * import { queueMaxBytes } from 'lambda-perf-kit/batch';
 * const limit = await queueMaxBytes(client, queueUrl);
 * ```
 */
export async function queueMaxBytes(client: SqsClientLike, queueUrl: string): Promise<number> {
  try {
    const { GetQueueAttributesCommand } = await loadSqsSdk();
    const out = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['MaximumMessageSize'] }),
    );
    const size = Number(out?.Attributes?.MaximumMessageSize);
    return Number.isInteger(size) && size > 0
      ? Math.min(size, SQS_LIMITS.maxBatchBytes)
      : SQS_LIMITS.maxBatchBytes;
  } catch {
    return SQS_LIMITS.maxBatchBytes;
  }
}

/**
 * Sends messages to an SQS queue with `SendMessageBatch`: chunks of at most 10 entries and
 * `maxBatchBytes` bytes, `concurrency` calls in flight, only the `Failed` entries retried (with
 * exponential backoff and full jitter), FIFO group and deduplication ids (groups keep their order:
 * each group always goes through the same sequential lane). Reads the input lazily, so a large file
 * or stdin is never held in memory. Never throws for a message: every message is either counted in
 * `sent` or returned in `failed`.
 *
 * @example
 * ```ts
 * import { feedQueue } from 'lambda-perf-kit/batch';
 * const result = await feedQueue(['{"id":1}', '{"id":2}'], { queueUrl, endpoint: 'http://127.0.0.1:9324' });
 * if (result.failed.length > 0) process.exitCode = 1;
 * ```
 */
export async function feedQueue<M = string | FeedMessage>(
  messages: Iterable<M> | AsyncIterable<M>,
  options: FeedOptions<M>,
): Promise<FeedResult<M>> {
  if (typeof options?.queueUrl !== 'string' || options.queueUrl.length === 0) {
    throw new TypeError(
      `feedQueue: options.queueUrl must be the queue URL; received ${String(options?.queueUrl)}`,
    );
  }
  const concurrency = positive('concurrency', options.concurrency, FEEDER_DEFAULTS.concurrency, 1);
  const maxRetries = positive('maxRetries', options.maxRetries, FEEDER_DEFAULTS.maxRetries, 0);
  const baseDelay = positive(
    'retryBaseDelayMs',
    options.retryBaseDelayMs,
    FEEDER_DEFAULTS.retryBaseDelayMs,
    0,
  );
  const maxDelay = positive('retryMaxDelayMs', options.retryMaxDelayMs, FEEDER_DEFAULTS.retryMaxDelayMs, 0);
  const queueUrl = options.queueUrl;
  const fifo = options.fifo ?? queueUrl.endsWith('.fifo');
  const toMessage = (options.toMessage ?? defaultToMessage) as (item: M) => FeedMessage;
  const ownClient = options.client === undefined;
  const client: SqsClientLike = options.client ?? (await createSqsClient(options, queueUrl));
  const { SendMessageBatchCommand } = await loadSqsSdk();
  const maxBytes =
    options.maxBatchBytes !== undefined
      ? positive('maxBatchBytes', options.maxBatchBytes, SQS_LIMITS.maxBatchBytes, 1)
      : await queueMaxBytes(client, queueUrl);

  const started = performance.now();
  const result = { sent: 0, retried: 0, read: 0 };
  const failed: FailedMessage<M>[] = [];
  const progress = (): void =>
    options.onProgress?.({
      read: result.read,
      sent: result.sent,
      failed: failed.length,
      retried: result.retried,
      elapsedMs: performance.now() - started,
    });

  const toEntry = (p: Pending<M>, id: number): SendMessageBatchRequestEntry => ({
    Id: String(id),
    MessageBody: p.message.body,
    ...(p.message.attributes ? { MessageAttributes: p.message.attributes } : {}),
    ...(p.message.delaySeconds !== undefined ? { DelaySeconds: p.message.delaySeconds } : {}),
    ...(fifo
      ? {
          MessageGroupId: p.message.groupId ?? options.groupId,
          MessageDeduplicationId:
            p.message.deduplicationId ?? createHash('sha256').update(p.message.body).digest('hex'),
        }
      : {}),
  });

  /** Sends one chunk until every entry is sent or permanently failed. */
  const sendChunk = async (chunk: Pending<M>[]): Promise<void> => {
    let pending = chunk;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let retry: Pending<M>[] = [];
      let lastReason = '';
      try {
        const out = await client.send(
          new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: pending.map(toEntry) }),
        );
        result.sent += out?.Successful?.length ?? 0;
        for (const f of out?.Failed ?? []) {
          const entry = pending[Number(f.Id)];
          if (!entry) continue;
          const reason = `${f.Code ?? 'Failed'}: ${f.Message ?? ''}`.trim();
          if (f.SenderFault) failed.push({ message: entry.item, reason, senderFault: true });
          else {
            retry.push(entry);
            lastReason = reason;
          }
        }
      } catch (error) {
        if (!retryableCallError(error)) {
          for (const p of pending)
            failed.push({ message: p.item, reason: describeError(error), senderFault: true });
          break;
        }
        retry = pending;
        lastReason = describeError(error);
      }
      if (retry.length > 0 && attempt > maxRetries) {
        for (const p of retry) {
          failed.push({
            message: p.item,
            reason: `${lastReason} (after ${maxRetries} retries)`,
            senderFault: false,
          });
        }
        break;
      }
      if (retry.length > 0) {
        result.retried += retry.length;
        await sleep(backoffDelay(attempt, baseDelay, maxDelay));
      }
      pending = retry;
    }
    progress();
  };

  // Bounded work: at most `concurrency` calls in flight and as many chunks queued behind them.
  let active = 0;
  const slotWaiters: Array<() => void> = [];
  const inFlight = new Set<Promise<void>>();
  const lanes: Array<Promise<void>> = Array.from({ length: concurrency }, () => Promise.resolve());
  let nextLane = 0;
  const dispatch = async (chunk: Pending<M>[], lane: number): Promise<void> => {
    while (active >= concurrency * 2) await new Promise<void>((resolve) => slotWaiters.push(resolve));
    active++;
    const task = (lanes[lane] as Promise<void>)
      .then(() => sendChunk(chunk))
      .catch((error: unknown) => {
        for (const p of chunk)
          failed.push({ message: p.item, reason: describeError(error), senderFault: false });
      })
      .finally(() => {
        active--;
        inFlight.delete(task);
        slotWaiters.shift()?.();
      });
    lanes[lane] = task;
    inFlight.add(task);
  };

  // Standard queues: one chunk builder, chunks round-robin over the lanes. FIFO: one builder per lane,
  // a group always hashes to the same lane, so its messages leave in order.
  const builders: Array<{ items: Pending<M>[]; bytes: number }> = Array.from(
    { length: fifo ? concurrency : 1 },
    () => ({ items: [], bytes: 0 }),
  );
  const laneOf = (groupId: string): number => {
    let h = 0;
    for (let i = 0; i < groupId.length; i++) h = (h * 31 + groupId.charCodeAt(i)) | 0;
    return Math.abs(h) % concurrency;
  };
  const emit = async (builderIndex: number): Promise<void> => {
    const builder = builders[builderIndex] as { items: Pending<M>[]; bytes: number };
    if (builder.items.length === 0) return;
    const chunk = builder.items;
    builder.items = [];
    builder.bytes = 0;
    const lane = fifo ? builderIndex : nextLane++ % concurrency;
    await dispatch(chunk, lane);
  };

  let inputError: unknown;
  try {
    for await (const item of messages as AsyncIterable<M>) {
      if (options.signal?.aborted) break;
      result.read++;
      let message: FeedMessage;
      try {
        message = toMessage(item);
      } catch (error) {
        failed.push({ message: item, reason: describeError(error), senderFault: true });
        continue;
      }
      const bytes = messageBytes(message);
      if (bytes > maxBytes) {
        failed.push({
          message: item,
          reason: `message is ${bytes} bytes; the queue accepts at most ${maxBytes}`,
          senderFault: true,
        });
        continue;
      }
      const groupId = message.groupId ?? options.groupId;
      if (fifo && !groupId) {
        failed.push({ message: item, reason: 'FIFO queue: the message has no group id', senderFault: true });
        continue;
      }
      const b = fifo ? laneOf(groupId as string) : 0;
      const builder = builders[b] as { items: Pending<M>[]; bytes: number };
      if (builder.items.length > 0 && builder.bytes + bytes > maxBytes) await emit(b);
      builder.items.push({ item, message, bytes });
      builder.bytes += bytes;
      if (builder.items.length >= SQS_LIMITS.maxBatchEntries) await emit(b);
    }
  } catch (error) {
    inputError = error; // what was read is still sent below; then the input error is thrown
  }
  try {
    for (let b = 0; b < builders.length; b++) await emit(b);
    while (inFlight.size > 0) await Promise.race(inFlight);
  } finally {
    if (ownClient) (client as { destroy?: () => void }).destroy?.();
  }
  const durationMs = performance.now() - started;
  progress();
  const summary: FeedResult<M> = {
    sent: result.sent,
    failed,
    retried: result.retried,
    durationMs,
    messagesPerSecond: durationMs > 0 ? (result.sent / durationMs) * 1000 : 0,
  };
  // The input broke part-way: what was read was still sent; the error carries that partial result,
  // so the messages that failed to send are not lost with the exception.
  if (inputError !== undefined) throw new FeedInputError(inputError, summary);
  return summary;
}
