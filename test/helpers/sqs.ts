/**
 * The SQS emulator (fauxqs 1.9.2) started in-process on 127.0.0.1 and a port of its own.
 * fauxqs returns queue URLs whose host does not resolve: keep them as returned and give the client
 * an explicit `endpoint` (this helper does).
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { startFauxqs } from 'fauxqs';

export interface SqsEmulator {
  readonly endpoint: string;
  readonly client: SQSClient;
  /** Creates a queue (attributes as in CreateQueue) and returns its URL and ARN. */
  createQueue(name: string, attributes?: Record<string, string>): { queueUrl: string; queueArn: string };
  /** Creates a queue with a DLQ redrive policy; returns both. */
  createQueueWithDlq(
    name: string,
    maxReceiveCount: number,
    attributes?: Record<string, string>,
  ): { queueUrl: string; queueArn: string; dlqUrl: string; dlqArn: string };
  stop(): Promise<void>;
}

/** Starts the emulator. Always `await emulator.stop()` in `afterAll`. */
export async function startSqsEmulator(): Promise<SqsEmulator> {
  const server = await startFauxqs({ port: 0, host: '127.0.0.1', logger: false });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const client = new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const createQueue = (name: string, attributes?: Record<string, string>) => {
    const options = attributes ? { attributes } : {};
    const { queueUrl, queueArn } = server.createQueue(name, options);
    return { queueUrl, queueArn };
  };
  return {
    endpoint,
    client,
    createQueue,
    createQueueWithDlq: (name, maxReceiveCount, attributes = {}) => {
      const fifo = name.endsWith('.fifo');
      const dlqName = fifo ? `${name.slice(0, -5)}-dlq.fifo` : `${name}-dlq`;
      const dlq = createQueue(dlqName, fifo ? { FifoQueue: 'true' } : undefined);
      const main = createQueue(name, {
        ...attributes,
        RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.queueArn, maxReceiveCount }),
      });
      return { ...main, dlqUrl: dlq.queueUrl, dlqArn: dlq.queueArn };
    },
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}
