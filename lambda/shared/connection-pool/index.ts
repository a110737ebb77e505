export { fullJitterDelay } from '../internal/backoff.js';
export {
  isAuthFailure,
  isConnectionLost,
  isNeverSent,
  isRetryableConnectError,
  mustDiscardClient,
} from './classifyError.js';
export type { ConnectionTarget } from './connectionTarget.js';
export { describeConnection, isLocalHost } from './connectionTarget.js';
export { createEnhancedPool, EnhancedPool } from './EnhancedPool.js';
export {
  PoolClosedError,
  PoolConnectionError,
  PoolCredentialsError,
  PoolError,
  PoolTimeoutError,
} from './errors.js';
export type { PoolSizing, PoolSizingInput } from './sizing.js';
export { computePoolSize } from './sizing.js';
export type {
  ConnectionBudget,
  ConnectOptions,
  CredentialsOptions,
  DatabaseCredentials,
  EnhancedPoolOptions,
  EnhancedQueryConfig,
  PoolHealth,
  PoolMetrics,
  QueryOptions,
  ReaderOptions,
  RetryOptions,
  ShutdownOptions,
  WarmUpResult,
} from './types.js';
