import type * as SqsSdk from '@aws-sdk/client-sqs';

/** Anything with the SDK v3 client's `send(command)`: an `SQSClient`, or a test double. */
export interface SqsClientLike {
  // biome-ignore lint/suspicious/noExplicitAny: SDK v3 commands are generic over many shapes
  send(command: any): Promise<any>;
}

/** Where a client the toolkit creates itself sends to. */
export interface SqsClientOptions {
  /**
   * The SQS endpoint, e.g. an emulator's `http://127.0.0.1:9324`.
   * @default - `AWS_ENDPOINT_URL_SQS`, then `AWS_ENDPOINT_URL`, then AWS
   */
  endpoint?: string;
  /** @default - `AWS_REGION`, then `AWS_DEFAULT_REGION`, then the region in the queue URL, then 'us-east-1' */
  region?: string;
}

// A cache of the imported module (not per-invocation state): `@aws-sdk/client-sqs` costs ~47 ms to
// import, so nothing imports it until a feeder, SQS writer or poller runs.
let loading: Promise<typeof SqsSdk> | undefined;

/**
 * Imports `@aws-sdk/client-sqs` on first use (single-flight; a failed import is retried next time).
 *
 * @example
 * ```ts
 * import { loadSqsSdk } from 'lambda-perf-kit/batch';
 * const { ReceiveMessageCommand } = await loadSqsSdk();
 * ```
 */
export function loadSqsSdk(): Promise<typeof SqsSdk> {
  if (!loading) {
    loading = import('@aws-sdk/client-sqs');
    loading.catch(() => {
      loading = undefined;
    });
  }
  return loading;
}

const regionFromUrl = (queueUrl: string | undefined): string | undefined =>
  queueUrl ? /sqs[.-]([a-z0-9-]+)\.amazonaws\.com/.exec(queueUrl)?.[1] : undefined;

/**
 * Creates an `SQSClient` that honours `AWS_ENDPOINT_URL_SQS` / `AWS_ENDPOINT_URL` as an explicit
 * `endpoint` (with only the variable set, SDK v3 still sends to the queue URL's host).
 *
 * @example
 * ```ts
 * import { createSqsClient } from 'lambda-perf-kit/batch';
 * const client = await createSqsClient({ endpoint: 'http://127.0.0.1:9324' });
 * ```
 */
export async function createSqsClient(
  options: SqsClientOptions = {},
  queueUrl?: string,
): Promise<SqsSdk.SQSClient> {
  const { SQSClient } = await loadSqsSdk();
  const endpoint = options.endpoint ?? process.env.AWS_ENDPOINT_URL_SQS ?? process.env.AWS_ENDPOINT_URL;
  const region =
    options.region ??
    process.env.AWS_REGION ??
    process.env.AWS_DEFAULT_REGION ??
    regionFromUrl(queueUrl) ??
    'us-east-1';
  const local = endpoint !== undefined && /^https?:\/\/(127\.0\.0\.1|localhost|\[::1\])/.test(endpoint);
  const hasCredentials = process.env.AWS_ACCESS_KEY_ID !== undefined || process.env.AWS_PROFILE !== undefined;
  return new SQSClient({
    region,
    ...(endpoint ? { endpoint } : {}),
    // A local emulator accepts any credentials; do not make the user invent some.
    ...(local && !hasCredentials ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}
