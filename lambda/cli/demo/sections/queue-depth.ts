import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * Messages visible in a queue (`ApproximateNumberOfMessages`): how the demo sections count the DLQ.
 *
 * @example
 * ```ts
 * const inDlq = await queueDepth(client, dlq.queueUrl);
 * ```
 */
export async function queueDepth(client: SQSClient, queueUrl: string): Promise<number> {
  const out = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(out.Attributes?.ApproximateNumberOfMessages ?? 0);
}
