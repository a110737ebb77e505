/**
 * Realistic Lambda events and contexts for the local runner and the tests: SQS (standard and FIFO),
 * API Gateway HTTP API (payload v2), EventBridge scheduled events, and a `Context` whose
 * `getRemainingTimeInMillis()` counts down in real time.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

/** Options for {@link makeSqsRecord}. */
export interface SqsRecordOptions {
  /** @default - a random UUID */
  messageId?: string;
  /** @default 'perf-kit-queue' */
  queueName?: string;
  /** FIFO message group; makes the record a FIFO record. @default - standard queue */
  messageGroupId?: string;
  /** @default '1' */
  approximateReceiveCount?: string;
}

/**
 * One SQS record as Lambda delivers it.
 *
 * @example
 * ```ts
 * const record = makeSqsRecord({ orderId: 1 }, { messageGroupId: 'customer-7' });
 * ```
 */
export function makeSqsRecord(body: unknown, options: SqsRecordOptions = {}): SQSRecord {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const queueName = options.queueName ?? (options.messageGroupId ? 'perf-kit-queue.fifo' : 'perf-kit-queue');
  const now = String(Date.now());
  const attributes: SQSRecord['attributes'] = {
    ApproximateReceiveCount: options.approximateReceiveCount ?? '1',
    SentTimestamp: now,
    SenderId: 'AIDAIENQZJOLO23YVJ4VO',
    ApproximateFirstReceiveTimestamp: now,
  };
  if (options.messageGroupId) {
    attributes.MessageGroupId = options.messageGroupId;
    attributes.MessageDeduplicationId = createHash('sha256').update(text).digest('hex');
    attributes.SequenceNumber = `${Date.now()}${Math.floor(Math.random() * 1e6)}`;
  }
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: `AQEB${randomUUID().replaceAll('-', '')}`,
    body: text,
    attributes,
    messageAttributes: {},
    md5OfBody: createHash('md5').update(text).digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${queueName}`,
    awsRegion: REGION,
  };
}

/**
 * An SQS event from a list of bodies (or ready-made records).
 *
 * @example
 * ```ts
 * const event = makeSqsEvent([{ id: 1 }, { id: 2 }]);
 * ```
 */
export function makeSqsEvent(
  bodies: ReadonlyArray<unknown | SQSRecord>,
  options: SqsRecordOptions = {},
): SQSEvent {
  const isRecord = (value: unknown): value is SQSRecord =>
    typeof value === 'object' && value !== null && (value as SQSRecord).eventSource === 'aws:sqs';
  return {
    Records: bodies.map((body, index) =>
      isRecord(body)
        ? body
        : makeSqsRecord(body, {
            ...options,
            messageId: options.messageId ? `${options.messageId}-${index}` : undefined,
          }),
    ),
  };
}

/** Options for {@link makeApiGatewayV2Event}. */
export interface ApiEventOptions {
  /** @default 'GET' */
  method?: string;
  /** The route template API Gateway matched, e.g. `/products/{id}` (routeKey = method + route). @default - the path */
  route?: string;
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * An API Gateway HTTP API (payload format 2.0) event.
 *
 * @example
 * ```ts
 * const event = makeApiGatewayV2Event('/products/42', { pathParameters: { id: '42' } });
 * ```
 */
export function makeApiGatewayV2Event(path: string, options: ApiEventOptions = {}): APIGatewayProxyEventV2 {
  const method = options.method ?? 'GET';
  const query = options.queryStringParameters;
  const now = new Date();
  const routeKey = `${method} ${options.route ?? path}`;
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: query ? new URLSearchParams(query).toString() : '',
    headers: { 'content-type': 'application/json', 'user-agent': 'perf-kit-local', ...options.headers },
    requestContext: {
      accountId: ACCOUNT,
      apiId: 'perfkitapi',
      domainName: 'perfkitapi.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'perfkitapi',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'perf-kit-local' },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (query) event.queryStringParameters = query;
  if (options.pathParameters) event.pathParameters = options.pathParameters;
  if (options.body !== undefined)
    event.body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return event;
}

/**
 * An EventBridge scheduled event ("Scheduled Event" from `aws.events`).
 *
 * @example
 * ```ts
 * const event = makeScheduledEvent();
 * ```
 */
export function makeScheduledEvent(): EventBridgeEvent<'Scheduled Event', Record<string, never>> {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: ACCOUNT,
    time: new Date().toISOString(),
    region: REGION,
    resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/perf-kit-maintenance`],
    detail: {},
  };
}

/** Options for {@link makeContext}. */
export interface ContextOptions {
  /** @default 'perf-kit-local' */
  functionName?: string;
  /** @default 1024 */
  memoryLimitInMB?: number;
  /** Time budget of the invocation; `getRemainingTimeInMillis()` counts down from it in real time. @default 30000 */
  timeoutMillis?: number;
}

/**
 * A Lambda `Context` whose remaining time counts down from `timeoutMillis` in real time.
 *
 * @example
 * ```ts
 * const context = makeContext({ timeoutMillis: 1000 });
 * context.getRemainingTimeInMillis(); // ~1000
 * ```
 */
export function makeContext(options: ContextOptions = {}): Context {
  const functionName = options.functionName ?? 'perf-kit-local';
  const deadline = Date.now() + (options.timeoutMillis ?? 30_000);
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${randomUUID()}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
