import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Props of {@link PerfKitStack}. */
export interface PerfKitStackProps extends StackProps {}

/**
 * The lambda-perf-kit stack (placeholder until the constructs land: a queue with its DLQ).
 *
 * @example
 * ```ts
 * new PerfKitStack(app, 'PerfKit');
 * ```
 */
export class PerfKitStack extends Stack {
  constructor(scope: Construct, id: string, props: PerfKitStackProps = {}) {
    super(scope, id, props);
    const dlq = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    new Queue(this, 'WorkQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(180),
      deadLetterQueue: { queue: dlq, maxReceiveCount: 5 },
    });
  }
}
