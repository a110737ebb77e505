export type {
  BatchWriter,
  BatchWriterOptions,
  BatchWriterStats,
  FailedItem,
  FlushReport,
  WriteFn,
  WriteResult,
} from './BatchWriter.js';
export { createBatchWriter } from './BatchWriter.js';
export { backoffDelay } from './backoff.js';
export { BATCH_DEFAULTS, FEEDER_DEFAULTS, PG_MAX_PARAMS, SQS_LIMITS, WRITER_DEFAULTS } from './constants.js';
export {
  BatchError,
  BatchWriteError,
  FeedInputError,
  FullBatchFailureError,
  isRetryableError,
  RecordParseError,
  RecordSkippedError,
  RecordTimeoutError,
  RetryableError,
} from './errors.js';
export type { FailedMessage, FeedMessage, FeedOptions, FeedProgress, FeedResult } from './feedQueue.js';
export { feedQueue, messageBytes, queueMaxBytes } from './feedQueue.js';
export { parseRecordBody } from './parseRecord.js';
export type { MultiRowInsertOptions, Queryable, SqlStatement } from './pgInsert.js';
export { buildMultiRowInsert, pgInsertWriteFn, quoteIdentifier } from './pgInsert.js';
export type { PollQueueOptions, PollQueueResult } from './pollQueue.js';
export { pollQueue, toSqsEvent } from './pollQueue.js';
export { processSQSBatch } from './processSQSBatch.js';
export type { SqsClientLike, SqsClientOptions } from './sqsSdk.js';
export { createSqsClient, loadSqsSdk } from './sqsSdk.js';
export { sqsSendWriteFn } from './sqsWriteFn.js';
export type {
  BatchStats,
  LambdaContextLike,
  ProcessSQSBatchOptions,
  RecordInfo,
  SQSBatchItemFailure,
  SQSBatchResponse,
  SQSEvent,
  SQSRecord,
  SQSRecordHandler,
} from './types.js';
