import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { DeduplicationScope, FifoThroughputLimit, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * Smallest `maxReceiveCount` accepted: AWS recommends at least 5 so throttled batches are not dead-lettered.
 *
 * @example
 * ```ts
 * new PerfKitQueueWorker(this, 'Q', { consumer, consumerTimeout, maxReceiveCount: MIN_MAX_RECEIVE_COUNT });
 * ```
 */
export const MIN_MAX_RECEIVE_COUNT = 5;
/**
 * Visibility timeout must be at least this multiple of the consumer's timeout (AWS guidance for Lambda).
 *
 * @example
 * ```ts
 * const visibility = Duration.seconds(30 * VISIBILITY_TIMEOUT_FACTOR); // 180 s for a 30 s worker
 * ```
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/**
 * Props of {@link PerfKitQueueWorker}.
 *
 * @example
 * ```ts
 * const props: PerfKitQueueWorkerProps = {
 *   consumer: worker.alias, consumerTimeout: Duration.seconds(30), fifo: true, batchSize: 10,
 * };
 * ```
 */
export interface PerfKitQueueWorkerProps {
  /** The consumer, normally a function alias (the event source mapping is created on it). */
  readonly consumer: IFunction;
  /** The consumer's timeout (used for the visibility-timeout default and check). */
  readonly consumerTimeout: Duration;
  /**
   * A FIFO queue (and FIFO DLQ), high-throughput mode, deduplication by message group.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * Visibility timeout of the queue; at least 6 × the consumer timeout.
   * @default - 6 × consumerTimeout
   */
  readonly visibilityTimeout?: Duration;
  /**
   * Receives before a message moves to the DLQ (≥ 5).
   * @default 5
   */
  readonly maxReceiveCount?: number;
  /**
   * Records per batch (1–10 for FIFO, 1–10000 for standard).
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * How long Lambda gathers records before invoking (standard queues only; required ≥ 1 s when batchSize > 10).
   * @default - none for FIFO, Duration.seconds(1) for standard
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * Most concurrent invocations the event source may drive (2–1000).
   * @default 10
   */
  readonly maxConcurrency?: number;
  /**
   * How long messages are kept in the DLQ.
   * @default Duration.days(14)
   */
  readonly dlqRetention?: Duration;
}

/**
 * An SQS queue with a DLQ (redrive after `maxReceiveCount`), SSE and TLS-only access, consumed by a
 * function alias through an event source mapping with `reportBatchItemFailures`. FIFO by prop.
 *
 * @example
 * ```ts
 * const work = new PerfKitQueueWorker(this, 'Orders', {
 *   consumer: worker.alias, consumerTimeout: Duration.seconds(30), batchSize: 25, maxConcurrency: 20,
 * });
 * ```
 */
export class PerfKitQueueWorker extends Construct {
  /** The work queue. */
  public readonly queue: Queue;
  /** The dead-letter queue. */
  public readonly deadLetterQueue: Queue;
  /** The event source. */
  public readonly eventSource: SqsEventSource;

  constructor(scope: Construct, id: string, props: PerfKitQueueWorkerProps) {
    super(scope, id);
    const fifo = props.fifo ?? false;
    const timeoutSeconds = props.consumerTimeout.toSeconds();
    const visibilityTimeout =
      props.visibilityTimeout ?? Duration.seconds(timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR);
    const maxReceiveCount = props.maxReceiveCount ?? MIN_MAX_RECEIVE_COUNT;
    const batchSize = props.batchSize ?? 10;
    const maxBatchingWindow = props.maxBatchingWindow ?? (fifo ? undefined : Duration.seconds(1));
    const maxConcurrency = props.maxConcurrency ?? 10;
    const path = this.node.path;

    const minVisibility = timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR;
    if (visibilityTimeout.toSeconds() < minVisibility || visibilityTimeout.toSeconds() > 43_200) {
      throw new RangeError(
        `${path}: visibilityTimeout must be from ${VISIBILITY_TIMEOUT_FACTOR} × the consumer timeout (${timeoutSeconds} s → ${minVisibility} s) to 43200 s, received ${visibilityTimeout.toSeconds()} s`,
      );
    }
    if (
      !Number.isInteger(maxReceiveCount) ||
      maxReceiveCount < MIN_MAX_RECEIVE_COUNT ||
      maxReceiveCount > 1000
    ) {
      throw new RangeError(
        `${path}: maxReceiveCount must be an integer from ${MIN_MAX_RECEIVE_COUNT} to 1000, received ${maxReceiveCount}`,
      );
    }
    const maxBatch = fifo ? 10 : 10_000;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > maxBatch) {
      throw new RangeError(
        `${path}: batchSize must be an integer from 1 to ${maxBatch} for a ${fifo ? 'FIFO' : 'standard'} queue, received ${batchSize}`,
      );
    }
    if (fifo && maxBatchingWindow !== undefined) {
      throw new RangeError(
        `${path}: maxBatchingWindow is not supported on FIFO queues, received ${maxBatchingWindow.toSeconds()} s; allowed: undefined`,
      );
    }
    const windowSeconds = maxBatchingWindow?.toSeconds() ?? 0;
    if (windowSeconds > 300 || (batchSize > 10 && windowSeconds < 1)) {
      throw new RangeError(
        `${path}: maxBatchingWindow must be from ${batchSize > 10 ? 1 : 0} to 300 s${batchSize > 10 ? ' (batchSize > 10 needs ≥ 1 s)' : ''}, received ${windowSeconds} s`,
      );
    }
    if (!Number.isInteger(maxConcurrency) || maxConcurrency < 2 || maxConcurrency > 1000) {
      throw new RangeError(
        `${path}: maxConcurrency must be an integer from 2 to 1000, received ${maxConcurrency}`,
      );
    }

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      fifo: fifo ? true : undefined,
      retentionPeriod: props.dlqRetention ?? Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    this.queue = new Queue(this, 'Queue', {
      fifo: fifo ? true : undefined,
      ...(fifo
        ? {
            contentBasedDeduplication: false,
            deduplicationScope: DeduplicationScope.MESSAGE_GROUP,
            fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID,
          }
        : {}),
      visibilityTimeout,
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
    });
    this.eventSource = new SqsEventSource(this.queue, {
      batchSize,
      maxBatchingWindow,
      reportBatchItemFailures: true,
      maxConcurrency,
    });
    props.consumer.addEventSource(this.eventSource);
  }
}
