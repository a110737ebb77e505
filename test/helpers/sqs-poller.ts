/**
 * The local "event source mapping" used by tests and the demo. It lives in the library
 * (`pollQueue` in lambda/shared/batch-processor) because it is useful outside tests too: run a real
 * handler against a local queue with the semantics of `ReportBatchItemFailures`.
 */
export type { PollQueueOptions, PollQueueResult } from '../../lambda/shared/batch-processor/index.js';
export { pollQueue, toSqsEvent } from '../../lambda/shared/batch-processor/index.js';
